/** The location of an annotation, in the property names of @actions/core. */
export interface AnnotationProperties {
  file: string;
  startLine: number;
  endLine?: number;
  title?: string;
}

/** The parts of @actions/core the Action calls; injected so tests can run it without a runner. */
export interface ActionToolkit {
  /** Returns the input's value with surrounding whitespace trimmed, or "" when it is not set. */
  getInput: (name: string) => string;
  setOutput: (name: string, value: string) => void;
  /** Registers a value the runner masks in every later log line. */
  setSecret: (value: string) => void;
  setFailed: (message: string) => void;
  info: (message: string) => void;
  error: (message: string, properties: AnnotationProperties) => void;
  warning: (message: string, properties: AnnotationProperties) => void;
  notice: (message: string, properties: AnnotationProperties) => void;
  /** Appends markdown to the job summary. */
  writeSummary: (markdown: string) => Promise<void>;
}
