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
