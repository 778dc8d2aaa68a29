/**
 * A list that keeps only its newest `capacity` entries, so memory stays flat however much is pushed.
 * Old entries are dropped in chunks (the array never grows past twice the capacity) to keep pushes cheap.
 */
export class BoundedList<T> {
  private entries: T[] = []
  private pushed = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity must be a positive integer, got ${capacity}`)
  }

  /** Entries ever pushed, including those no longer kept. */
  get total(): number {
    return this.pushed
  }

  push(entry: T): void {
    this.pushed++
    this.entries.push(entry)
    if (this.entries.length >= 2 * this.capacity) this.entries = this.entries.slice(-this.capacity)
  }

  /** The newest entry matching `predicate`, among those kept. */
  findLast(predicate: (entry: T) => boolean): T | undefined {
    const oldest = Math.max(0, this.entries.length - this.capacity)
    for (let index = this.entries.length - 1; index >= oldest; index--) {
      const entry = this.entries[index]
      if (entry !== undefined && predicate(entry)) return entry
    }
    return undefined
  }

  toArray(): T[] {
    return this.entries.slice(-this.capacity)
  }

  toJSON(): T[] {
    return this.toArray()
  }
}
