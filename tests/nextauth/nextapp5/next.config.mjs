// The Next.js app of tests/browser/test_nextjs.py (Auth.js v5). The test copies this folder into
// tests/nextauth/.nextbuild/<hash of the sources>/ and builds it there once; its modules come
// from tests/nextauth/node_modules (one `npm ci`), which is therefore Turbopack's root.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let root = dirname(fileURLToPath(import.meta.url));
while (!existsSync(join(root, "node_modules", "next")) && dirname(root) !== root) {
  root = dirname(root);
}

export default {
  turbopack: { root },
  outputFileTracingRoot: root,
  poweredByHeader: false,
  reactStrictMode: true,
};
