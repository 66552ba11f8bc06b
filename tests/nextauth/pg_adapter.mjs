// Drives the real @auth/pg-adapter for tests/adapters/test_shared_database.py.
// stdin: {"pool": {...pg.Pool options}, "calls": [{"method": "getUserByEmail", "args": [...]}]}
// stdout: the results, in order, as JSON. String "expires"/"emailVerified" values become
// Dates, as Auth.js passes them. The method "hash" is @auth/core's own createHash, which
// Auth.js applies to `${token}${secret}` before storing a verification token.
import PostgresAdapter from "@auth/pg-adapter"
import pg from "pg"

import { revive } from "./revive.mjs"

const { createHash } = await import(
  new URL("./node_modules/@auth/core/lib/utils/web.js", import.meta.url)
)

let input = ""
for await (const chunk of process.stdin) input += chunk
const { pool: options, calls } = JSON.parse(input)
const pool = new pg.Pool(options)
const adapter = PostgresAdapter(pool)
const results = []
try {
  for (const { method, args } of calls) {
    const result =
      method === "hash" ? await createHash(...args) : await adapter[method](...revive(args))
    results.push(result === undefined ? null : result)
  }
} finally {
  await pool.end()
}
process.stdout.write(JSON.stringify(results))
