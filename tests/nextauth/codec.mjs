// The real session-token codecs, driven by tests/test_nextauth_codec.py: next-auth 4's
// `next-auth/jwt` and Auth.js v5's `@auth/core/jwt` (versions pinned in package.json).
// stdin: a JSON list of requests
//   {"lib": "v4" | "v5", "op": "encode", "token": {...}, "secret": s | [s...], "salt"?, "maxAge"?}
//   {"lib": "v4" | "v5", "op": "decode", "jwt": "...", "secret": s | [s...], "salt"?}
// stdout: a JSON list of answers, one per request: {"ok": value} or {"error": "Name: message"}.
import * as v5 from "@auth/core/jwt";
import v4 from "next-auth/jwt";

const libs = { v4, v5 };

async function run(request) {
  const lib = libs[request.lib];
  if (request.op === "encode") {
    return lib.encode({
      token: request.token,
      secret: request.secret,
      salt: request.salt ?? undefined,
      maxAge: request.maxAge,
    });
  }
  return lib.decode({ token: request.jwt, secret: request.secret, salt: request.salt ?? undefined });
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const answers = [];
for (const request of JSON.parse(Buffer.concat(chunks).toString("utf8"))) {
  try {
    answers.push({ ok: (await run(request)) ?? null });
  } catch (error) {
    answers.push({ error: `${error.name}: ${error.message}` });
  }
}
process.stdout.write(JSON.stringify(answers));
