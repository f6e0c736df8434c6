// Splits a command line into arguments the way a POSIX shell tokenises words, without running a shell: the
// helm, helmv3 and kubectl task types exec their binary directly, so metadata can never inject `;`, `|`, `$(...)`
// or redirections. Flagger splits on whitespace only (strings.Fields), which breaks quoted arguments such as
// `--set "a=b c"`; here quotes group words and are removed, as a shell would do.

/** Thrown for a command line that cannot be split (an unterminated quote or a trailing backslash). */
export class ArgumentSyntaxError extends Error {
  override name = 'ArgumentSyntaxError';
}

const WHITESPACE = /\s/;

/**
 * Splits `line` into words. Outside quotes a backslash escapes the next character; inside single quotes
 * everything is literal; inside double quotes a backslash escapes only `"` and `\`. Nothing is expanded:
 * `$VAR`, `~` and `*` stay as written.
 */
export function splitArgs(line: string): string[] {
  const words: string[] = [];
  let word = '';
  // A word exists once any character or a pair of quotes was seen, so `''` gives an empty argument.
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const ch = line.charAt(i);
    if (WHITESPACE.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ArgumentSyntaxError(`unterminated single quote in ${JSON.stringify(line)}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      const [text, next] = readDoubleQuoted(line, i + 1);
      word += text;
      inWord = true;
      i = next;
    } else if (ch === '\\') {
      if (i + 1 >= line.length)
        throw new ArgumentSyntaxError(`trailing backslash in ${JSON.stringify(line)}`);
      word += line.charAt(i + 1);
      inWord = true;
      i += 2;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Reads a double-quoted string starting after its opening quote; returns its text and the index after it. */
function readDoubleQuoted(line: string, start: number): [string, number] {
  let text = '';
  for (let i = start; i < line.length; i++) {
    const ch = line.charAt(i);
    if (ch === '"') return [text, i + 1];
    const next = line.charAt(i + 1);
    if (ch === '\\' && (next === '"' || next === '\\')) {
      text += next;
      i++;
    } else {
      text += ch;
    }
  }
  throw new ArgumentSyntaxError(`unterminated double quote in ${JSON.stringify(line)}`);
}
