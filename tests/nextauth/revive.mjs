// Auth.js passes Dates where JSON has strings: "expires" and "emailVerified" become Dates.
const DATES = new Set(["expires", "emailVerified"])

export function revive(value) {
  if (Array.isArray(value)) return value.map(revive)
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        DATES.has(key) && typeof item === "string" ? new Date(item) : revive(item),
      ]),
    )
  }
  return value
}
