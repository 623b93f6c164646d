/**
 * The fields of an `images` or `services` entry that the reference checks read. A field that is
 * missing or failed its own check is undefined, and the checks that need it are skipped.
 */
export interface StackEntry {
  name?: string | undefined;
  image?: string | undefined;
  port?: number | undefined;
}

/**
 * The parts of a config that `checkStackReferences` reads. An entry is undefined, and a list is
 * "unknown", when it failed its own checks so badly that no field can be read.
 */
export interface CheckableStack {
  images: readonly (StackEntry | undefined)[] | "unknown";
  services: readonly (StackEntry | undefined)[] | "unknown";
  expose?: { service?: string | undefined; port?: number | undefined };
}

/** A problem found by an earlier check, with its path from the config's root. */
interface EarlierIssue {
  path?: readonly PropertyKey[] | undefined;
}

/**
 * Reads the images, services and expose of a config that may have failed its field checks,
 * keeping only the fields that passed them, so the cross-field checks can run in the same pass.
 */
export function readCheckableStack(value: unknown, issues: readonly EarlierIssue[]): CheckableStack {
  const config = isRecord(value) ? value : {};
  const failed = (path: readonly PropertyKey[]): boolean => issues.some((issue) => path.every((part, index) => issue.path?.[index] === part));

  const readList = (list: "images" | "services"): CheckableStack["images"] => {
    const entries = config[list];
    if (entries === undefined) return [];
    if (!Array.isArray(entries)) return "unknown";
    return entries.map((entry, index) => (isRecord(entry) ? readEntry(entry, (field) => failed([list, index, field])) : undefined));
  };

  const stack: CheckableStack = { images: readList("images"), services: readList("services") };
  const expose = config.expose;
  if (isRecord(expose)) {
    stack.expose = {
      service: typeof expose.service === "string" && !failed(["expose", "service"]) ? expose.service : undefined,
      port: typeof expose.port === "number" && !failed(["expose", "port"]) ? expose.port : undefined,
    };
  }
  return stack;
}

function readEntry(entry: Record<string, unknown>, failed: (field: string) => boolean): StackEntry {
  return {
    name: typeof entry.name === "string" && !failed("name") ? entry.name : undefined,
    image: typeof entry.image === "string" && !failed("image") ? entry.image : undefined,
    port: typeof entry.port === "number" && !failed("port") ? entry.port : undefined,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
