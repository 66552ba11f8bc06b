export { default } from "../shared/next-config.mjs";
