// Runs the real @auth/mongodb-adapter for tests/adapters/test_shared_mongodb.py, with its
// database served by the Python side: every collection method the adapter calls
// (insertOne, findOne, findOneAndDelete...) goes out on stdout as one canonical Extended
// JSON line, {"collection", "op", "args"}, and its result comes back as one line on stdin,
// {"result"}. The test answers from the same mongomock database the Flask adapter uses.
// First stdin line: {"calls": [{"method": "getUserByEmail", "args": [...]}]}; last stdout
// line: {"done": [results]}. String "expires"/"emailVerified" values become Dates.
// With {"uri", "database"} in the first line, the adapter uses a real server instead.
import { MongoDBAdapter } from "@auth/mongodb-adapter"
import { BSON, MongoClient } from "mongodb"
import readline from "node:readline"

import { revive } from "./revive.mjs"

const { EJSON } = BSON
const lines = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]()
const nextLine = async () => (await lines.next()).value

async function remote(collection, op, args) {
  process.stdout.write(EJSON.stringify({ collection, op, args }, { relaxed: false }) + "\n")
  return EJSON.parse(await nextLine(), { relaxed: false }).result
}

const relay = {
  db: () => ({
    collection: (name) =>
      new Proxy({}, { get: (_, op) => (...args) => remote(name, op, args) }),
  }),
}

// With "uri" (a real server, MONGODB_URI in the tests) the real driver connects instead.
const { calls, uri, database } = JSON.parse(await nextLine())
const server = uri ? new MongoClient(uri) : null
const adapter = server
  ? MongoDBAdapter(server, { databaseName: database })
  : MongoDBAdapter(relay)
const results = []
for (const { method, args } of calls) {
  const result = await adapter[method](...revive(args))
  results.push(result === undefined ? null : result)
}
await server?.close()
process.stdout.write(JSON.stringify({ done: results }) + "\n")
process.exit(0)
