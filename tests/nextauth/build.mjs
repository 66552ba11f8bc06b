// Bundles the real next-auth/react 4 client (pinned in package.json) into one IIFE script that
// sets window.NextAuth = {signIn, signOut, getSession, getCsrfToken, getProviders}.
// Usage: node build.mjs OUTFILE   (run `npm ci` here first; tests/browser/test_nextauth_react.py
// calls it). In the browser the client uses only the path of NEXTAUTH_URL, so any origin works.
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = process.argv[2];
if (!outfile) {
  console.error("usage: node build.mjs OUTFILE");
  process.exit(2);
}

await build({
  stdin: {
    contents:
      'export { signIn, signOut, getSession, getCsrfToken, getProviders } from "next-auth/react";',
    resolveDir: here,
    loader: "js",
  },
  bundle: true,
  format: "iife",
  globalName: "NextAuth",
  platform: "browser",
  outfile,
  define: {
    "process.env.NEXTAUTH_URL": JSON.stringify("http://localhost/api/auth"),
    "process.env.NEXTAUTH_URL_INTERNAL": "undefined",
    "process.env.VERCEL_URL": "undefined",
    "process.env.NODE_ENV": JSON.stringify("production"),
  },
  logLevel: "warning",
});
