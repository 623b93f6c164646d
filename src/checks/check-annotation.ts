/** Level GitHub shows next to an annotation. */
export type AnnotationLevel = "notice" | "warning" | "failure";

/** One check-run annotation, in the field names of GitHub's Checks API. */
export interface CheckAnnotation {
  /** Repository-relative path of the annotated file. */
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: AnnotationLevel;
  message: string;
  title?: string;
  raw_details?: string;
}
