// Runs the real @auth/mongodb-adapter for tests/adapters/test_shared_mongodb.py, with its
// database served by the Python side: every collection method the adapter calls
// (insertOne, findOne, findOneAndDelete...) goes out on stdout as one canonical Extended
// JSON line, {"collection", "op", "args"}, and its result comes back as one line on stdin,
// {"result"}. The test answers from the same mongomock database the Flask adapter uses.
// First stdin line: {"calls": [{"method": "getUserByEmail", "args": [...]}]}; last stdout
// line: {"done": [results]}. String "expires"/"emailVerified" values become Dates.
import { MongoDBAdapter } from "@auth/mongodb-adapter"
import { BSON } from "mongodb"
import readline from "node:readline"

import { revive } from "./revive.mjs"

const { EJSON } = BSON
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const nextLine = async () => (await lines.next()).value

async function remote(collection, op, args) {
  process.stdout.write(EJSON.stringify({ collection, op, args }, { relaxed: false }) + "\n")
  return EJSON.parse(await nextLine(), { relaxed: false }).result
}

const client = {
  db: () => ({
    collection: (name) =>
      new Proxy({}, { get: (_, op) => (...args) => remote(name, op, args) }),
  }),
}

const { calls } = JSON.parse(await nextLine())
const adapter = MongoDBAdapter(client)
const results = []
for (const { method, args } of calls) {
  const result = await adapter[method](...revive(args))
  results.push(result === undefined ? null : result)
}
process.stdout.write(JSON.stringify({ done: results }) + "\n")
process.exit(0)
