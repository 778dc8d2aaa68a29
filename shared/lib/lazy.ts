/**
 * A value built on first use and kept: module scope stays cheap at cold start for things (zod schemas)
 * that the common request never needs.
 */
export function lazy<Value>(build: () => Value): () => Value {
  let built: { value: Value } | undefined
  return () => {
    built ??= { value: build() }
    return built.value
  }
}
