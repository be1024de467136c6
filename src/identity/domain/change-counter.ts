/** Bumped by every write that can change what a token means; caches compare generations. */
export class ChangeCounter {
  private generation = 0;

  get value(): number {
    return this.generation;
  }

  bump(): void {
    this.generation += 1;
  }
}
