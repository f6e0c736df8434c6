// Command output kept in memory with a bound: a load generator or a chatty test can print without limit, and
// the output is only needed for the log and the webhook response. The tail is kept, since summaries and errors
// come last.

/** The most output kept per task by default (-max-output-bytes). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

export class BoundedOutput {
  private readonly limit: number;
  private chunks: Buffer[] = [];
  private size = 0;
  private dropped = 0;

  constructor(limit = MAX_OUTPUT_BYTES) {
    this.limit = limit;
  }

  append(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit) {
      const first = this.chunks[0];
      if (!first) break;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  /** Bytes discarded from the start. */
  get truncatedBytes(): number {
    return this.dropped;
  }

  /** The kept output, preceded by a note when the start was cut. */
  text(): string {
    const kept = Buffer.concat(this.chunks).toString('utf8');
    if (this.dropped === 0) return kept;
    return `[output truncated: first ${this.dropped} bytes dropped, last ${this.limit} kept (-max-output-bytes)]\n${kept}`;
  }
}
