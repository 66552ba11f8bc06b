// The Next.js config of both test apps (tests/browser/test_nextjs.py). The test copies an app
// and this folder into tests/nextauth/.nextbuild/<app>-<hash>/ and builds it there once; the
// modules come from tests/nextauth/node_modules (one `npm ci`), which is Turbopack's root.
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
