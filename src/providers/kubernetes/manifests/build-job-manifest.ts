import { posix } from "node:path";

import type { V1Container, V1Job, V1PodSecurityContext, V1SecurityContext, V1Volume, V1VolumeMount } from "@kubernetes/client-node";

import { LABEL_PREFIX } from "../../../environments/environment-labels.ts";
import type { BuildSettings, EnvironmentSpec, ImageBuildSpec } from "../../provider.ts";
import { BUILD_SCRIPT } from "./build-scripts.ts";
import { JOB_TTL_SECONDS_AFTER_FINISHED, RESTRICTED_CONTAINER_SECURITY, SOURCE_CONTAINER_NAME, SOURCE_TOKEN_KEY, STEP_RUN_AS_USER } from "./job-manifest.ts";
import { buildObjectMetadata } from "./object-metadata.ts";
import { FETCH_SOURCE_SCRIPT, SCRIPT_ENV, TERMINATION_LOG_PATH, WORKSPACE_PATH } from "./step-scripts.ts";

/** Name of the container that runs BuildKit. */
export const BUILD_CONTAINER_NAME = "build";
/** Label on a build Job and its pod with the image name. */
export const IMAGE_LABEL = `${LABEL_PREFIX}/image`;
/** Mount path of the push credential; `DOCKER_CONFIG` points buildctl at it. */
export const DOCKER_CONFIG_PATH = "/paddock/docker";
/** Home directory of the user in the rootless BuildKit image, where buildkitd keeps its state. */
export const BUILDKIT_HOME = "/home/user";
/** Key of the registry credential in a Secret of type `kubernetes.io/dockerconfigjson`. */
export const DOCKER_CONFIG_KEY = ".dockerconfigjson";

/** Inputs of an image's build Job. */
export interface BuildJobInput {
  environment: EnvironmentSpec;
  image: ImageBuildSpec;
  build: BuildSettings;
  jobName: string;
  /** Name of the Secret with the source token, in the build namespace. */
  secretName: string;
  sourceUrl: string;
  buildkitImage: string;
  sourceImage: string;
  timeoutSeconds: number;
  podAnnotations: Record<string, string>;
}

/**
 * Security context of the BuildKit container. Rootless BuildKit creates a user namespace and
 * mounts file systems inside it, which the runtime's default seccomp and AppArmor profiles
 * forbid, so both are Unconfined (BuildKit's `examples/kubernetes/job.rootless.yaml` sets the
 * same). `newuidmap` in the image is setuid, so privilege escalation stays allowed and the
 * default capabilities stay. It still runs as UID 1000, never privileged, without host
 * namespaces or host paths.
 */
export const BUILDKIT_CONTAINER_SECURITY: V1SecurityContext = {
  runAsNonRoot: true,
  runAsUser: STEP_RUN_AS_USER,
  runAsGroup: STEP_RUN_AS_USER,
  seccompProfile: { type: "Unconfined" },
  appArmorProfile: { type: "Unconfined" },
};

/**
 * Builds the Job that builds and pushes one image in the build namespace. An init container
 * fetches the commit as a step's does. Then rootless BuildKit builds the Dockerfile, pushes
 * `<repository>:<tag>` with a registry cache per repository, and writes the digest to its
 * termination message. The pod gets no ServiceAccount token; the push Secret, when the policy
 * names one, is mounted into this pod only.
 */
export function buildImageJobManifest(input: BuildJobInput): V1Job {
  const { environment, image, build, jobName } = input;
  const labels = { [IMAGE_LABEL]: image.name };
  const workspace: V1VolumeMount = { name: "workspace", mountPath: WORKSPACE_PATH };
  const volumes: V1Volume[] = [
    { name: "workspace", emptyDir: {} },
    { name: "buildkit-state", emptyDir: {} },
  ];
  const mounts: V1VolumeMount[] = [{ ...workspace, readOnly: true }, { name: "buildkit-state", mountPath: `${BUILDKIT_HOME}/.local/share/buildkit` }];
  const env = [
    { name: "BUILDKITD_FLAGS", value: "--oci-worker-no-process-sandbox" },
    { name: SCRIPT_ENV.terminationLog, value: TERMINATION_LOG_PATH },
  ];
  if (build.pushSecret !== undefined) {
    volumes.push({ name: "push-credential", secret: { secretName: build.pushSecret, items: [{ key: DOCKER_CONFIG_KEY, path: "config.json" }] } });
    mounts.push({ name: "push-credential", mountPath: DOCKER_CONFIG_PATH, readOnly: true });
    env.push({ name: "DOCKER_CONFIG", value: DOCKER_CONFIG_PATH });
  }

  const source: V1Container = {
    name: SOURCE_CONTAINER_NAME,
    image: input.sourceImage,
    command: ["/bin/sh", "-c", FETCH_SOURCE_SCRIPT],
    env: [
      { name: SCRIPT_ENV.workspace, value: WORKSPACE_PATH },
      { name: SCRIPT_ENV.sourceUrl, value: input.sourceUrl },
      { name: SCRIPT_ENV.sourceToken, valueFrom: { secretKeyRef: { name: input.secretName, key: SOURCE_TOKEN_KEY } } },
    ],
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [workspace],
  };
  const buildkit: V1Container = {
    name: BUILD_CONTAINER_NAME,
    image: input.buildkitImage,
    command: ["/bin/sh", "-c", BUILD_SCRIPT, "build"],
    args: buildctlArguments(image),
    env,
    securityContext: BUILDKIT_CONTAINER_SECURITY,
    volumeMounts: mounts,
    terminationMessagePath: TERMINATION_LOG_PATH,
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
  const podSecurity: V1PodSecurityContext = { runAsNonRoot: true, runAsUser: STEP_RUN_AS_USER, runAsGroup: STEP_RUN_AS_USER, fsGroup: STEP_RUN_AS_USER };

  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: buildObjectMetadata({ environment, name: jobName, namespace: build.namespace, labels, annotations: { [`${LABEL_PREFIX}/image-ref`]: `${image.repository}:${image.tag}` } }),
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: Math.ceil(input.timeoutSeconds),
      ttlSecondsAfterFinished: JOB_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels: { ...environment.labels, ...labels }, annotations: input.podAnnotations },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          ...(build.runtimeClass === undefined ? {} : { runtimeClassName: build.runtimeClass }),
          securityContext: podSecurity,
          volumes,
          initContainers: [source],
          containers: [buildkit],
        },
      },
    },
  };
}

/** Returns buildctl's arguments for one image; each is one argv entry, never parsed by a shell. */
export function buildctlArguments(image: ImageBuildSpec): string[] {
  const dockerfile = posix.normalize(image.dockerfile);
  const args = [
    "--frontend",
    "dockerfile.v0",
    "--local",
    `context=${posix.join(WORKSPACE_PATH, image.context)}`,
    "--local",
    `dockerfile=${posix.join(WORKSPACE_PATH, posix.dirname(dockerfile))}`,
    "--opt",
    `filename=${posix.basename(dockerfile)}`,
  ];
  if (image.target !== undefined) args.push("--opt", `target=${image.target}`);
  for (const [name, value] of Object.entries(image.args)) args.push("--opt", `build-arg:${name}=${value}`);
  args.push(
    "--output",
    `type=image,name=${image.repository}:${image.tag},push=true`,
    "--import-cache",
    `type=registry,ref=${image.cacheRef}`,
    "--export-cache",
    `type=registry,ref=${image.cacheRef},mode=max`,
  );
  return args;
}
