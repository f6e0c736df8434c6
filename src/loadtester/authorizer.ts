// -namespace-regexp: when set, only canaries whose namespace matches may use the gates and run tasks (403
// otherwise). Like Go's MatchString the expression is unanchored: write ^...$ to match whole names.

export class NamespaceAuthorizer {
  private readonly pattern: RegExp | undefined;

  constructor(pattern: string) {
    this.pattern = pattern === '' ? undefined : new RegExp(pattern);
  }

  authorize(namespace: string): boolean {
    return this.pattern === undefined || this.pattern.test(namespace);
  }
}
