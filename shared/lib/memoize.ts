/**
 * Remembers a pure function's answers for the life of the returned function: one request. Events of a
 * batch mostly share the page URL, referrer and user agent, so each is scrubbed or parsed once; nothing
 * outlives the request.
 */
export function memoize<Input, Output>(compute: (input: Input) => Output): (input: Input) => Output {
  const answers = new Map<Input, { answer: Output }>()
  return (input) => {
    const known = answers.get(input)
    if (known) return known.answer
    const answer = compute(input)
    answers.set(input, { answer })
    return answer
  }
}

/** Memoizes any pure function for the life of the returned function (one request), each once. */
export type PerRequestMemo = <Input, Output>(compute: (input: Input) => Output) => (input: Input) => Output

export function perRequestMemo(): PerRequestMemo {
  const memoized = new Map<unknown, unknown>()
  return <Input, Output>(compute: (input: Input) => Output) => {
    // Each entry is memoize(compute) for its own key `compute`: the cast only restores that pairing.
    const known = memoized.get(compute) as ((input: Input) => Output) | undefined
    if (known) return known
    const fresh = memoize(compute)
    memoized.set(compute, fresh)
    return fresh
  }
}
