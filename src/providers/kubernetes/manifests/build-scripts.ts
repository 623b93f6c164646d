/** Path of the file that buildctl writes the build's metadata to, the pushed digest among it. */
export const BUILD_METADATA_PATH = "/tmp/paddock-build-metadata.json";

/**
 * The build container's script. It runs `buildctl-daemonless.sh build` with the arguments the
 * container passes after the script (so no input is spliced into shell code), then writes the
 * pushed image's digest, and nothing else, to the termination log. A failed build exits with
 * buildctl's code, and Kubernetes then takes the end of the log as the message.
 */
export const BUILD_SCRIPT = [
  "set -eu",
  `buildctl-daemonless.sh build "$@" --metadata-file ${BUILD_METADATA_PATH}`,
  `digest="$(grep -o '"containerimage.digest": *"sha256:[0-9a-f]*"' ${BUILD_METADATA_PATH} | grep -o 'sha256:[0-9a-f]*' | head -n 1)"`,
  'if [ -z "$digest" ]; then echo "buildctl wrote no image digest" >&2; exit 1; fi',
  'printf \'%s\' "$digest" > "$PADDOCK_TERMINATION_LOG"',
].join("\n");

/** Reads the digest from a build container's termination message, or returns undefined when it contains none. */
export function parseImageDigest(message: string | undefined): string | undefined {
  const trimmed = message?.trim() ?? "";
  return /^sha256:[0-9a-f]{64}$/.test(trimmed) ? trimmed : undefined;
}
