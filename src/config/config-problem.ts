/** One problem found in a config file, located so it can become a check-run annotation. */
export interface ConfigProblem {
  /** Repository-relative path of the file, such as `.github/paddock.yml`. */
  file: string;
  /** 1-based line; 1 when the problem concerns the whole file. */
  line: number;
  /** 1-based column. */
  column: number;
  /** Dotted path of the field, such as `steps.0.timeout`; empty for file-level problems. */
  field: string;
  message: string;
}

/** Formats a problem as `file:line:column: field: message` for terminals and logs. */
export function formatConfigProblem(problem: ConfigProblem): string {
  const where = `${problem.file}:${problem.line}:${problem.column}`;
  return problem.field ? `${where}: ${problem.field}: ${problem.message}` : `${where}: ${problem.message}`;
}
