import type { V1Container, V1EnvVar, V1Job, V1SecurityContext } from "@kubernetes/client-node";

import { LABEL_PREFIX } from "../../../environments/environment-labels.ts";
import type { EnvironmentSpec, StepSpec } from "../../provider.ts";
import { JUNIT_SUMMARY_AWK } from "../junit-summary-awk.ts";
import { DEPLOY_SERVICE_ACCOUNT_NAME } from "./deploy-rbac-manifests.ts";
import { buildObjectMetadata } from "./object-metadata.ts";
import { buildStepResources } from "./quota-manifests.ts";
import { STEP_SERVICE_ACCOUNT_NAME } from "./step-rbac-manifests.ts";
import { FETCH_SOURCE_SCRIPT, SCRIPT_ENV, STEP_SCRIPT, TERMINATION_LOG_PATH, WORKSPACE_PATH } from "./step-scripts.ts";

/** Name of the container that runs the step. */
export const STEP_CONTAINER_NAME = "step";
/** Name of the init container that fetches the source. */
export const SOURCE_CONTAINER_NAME = "source";
/** Key of the token in the step's source Secret. */
export const SOURCE_TOKEN_KEY = "token";
/** User and group id that step pods run as; the restricted Pod Security Standard forbids 0. */
export const STEP_RUN_AS_USER = 1000;
/** Seconds a finished Job and its pods are kept for inspection before Kubernetes deletes them. */
export const JOB_TTL_SECONDS_AFTER_FINISHED = 600;
/** Label on a Job and its pods with the sanitized step name. */
export const STEP_LABEL = `${LABEL_PREFIX}/step`;

/** Inputs of a step's Job. */
export interface StepJobInput {
  environment: EnvironmentSpec;
  step: StepSpec;
  jobName: string;
  /** Name of the Secret that contains the source token. */
  secretName: string;
  sourceUrl: string;
  image: string;
  sourceImage: string;
  ephemeralStorage: string;
  /** Extra pod annotations, for admission webhooks or a simulated kubelet. */
  podAnnotations: Record<string, string>;
}

/** Security context of every container, as the restricted Pod Security Standard requires. */
export const RESTRICTED_CONTAINER_SECURITY: V1SecurityContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  runAsNonRoot: true,
  runAsUser: STEP_RUN_AS_USER,
  runAsGroup: STEP_RUN_AS_USER,
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Builds the Job of one step: an init container fetches the commit into a shared `emptyDir`, then
 * the step's container runs its command there and reports a JUnit summary through its termination
 * message. The pod passes the restricted Pod Security Standard, runs as the steps' ServiceAccount
 * without its token (a `deploy` step runs as the deploy ServiceAccount with its token), and gets
 * no retry (`backoffLimit: 0`).
 */
export function buildStepJobManifest(input: StepJobInput): V1Job {
  const { environment, step, jobName } = input;
  const namespace = environment.name;
  const labels = { [STEP_LABEL]: sanitizeLabelValue(step.name) };
  const resources = buildStepResources(environment, input.ephemeralStorage);
  const workspace = { name: "workspace", mountPath: WORKSPACE_PATH };
  const common = { env: [{ name: SCRIPT_ENV.workspace, value: WORKSPACE_PATH }], resources: { requests: resources, limits: resources } };

  const source: V1Container = {
    name: SOURCE_CONTAINER_NAME,
    image: input.sourceImage,
    command: ["/bin/sh", "-c", FETCH_SOURCE_SCRIPT],
    env: [
      ...common.env,
      { name: SCRIPT_ENV.sourceUrl, value: input.sourceUrl },
      { name: SCRIPT_ENV.sourceToken, valueFrom: { secretKeyRef: { name: input.secretName, key: SOURCE_TOKEN_KEY } } },
    ],
    resources: common.resources,
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [workspace],
  };
  const main: V1Container = {
    name: STEP_CONTAINER_NAME,
    image: input.image,
    command: ["/bin/sh", "-c", STEP_SCRIPT],
    workingDir: WORKSPACE_PATH,
    env: [...buildDeployEnv(step), ...buildUserEnv(step), ...common.env, ...buildScriptEnv(step)],
    resources: common.resources,
    securityContext: RESTRICTED_CONTAINER_SECURITY,
    volumeMounts: [workspace],
    terminationMessagePath: TERMINATION_LOG_PATH,
    // With no summary written, a failed step's message is the end of its log instead.
    terminationMessagePolicy: "FallbackToLogsOnError",
  };

  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: buildObjectMetadata({ environment, name: jobName, namespace, labels, annotations: { [`${LABEL_PREFIX}/step-name`]: step.name } }),
    spec: {
      backoffLimit: 0,
      // The API takes whole seconds; a fraction is rounded up so the step never gets less time.
      activeDeadlineSeconds: Math.ceil(step.timeoutSeconds),
      ttlSecondsAfterFinished: JOB_TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels: { ...environment.labels, ...labels }, annotations: input.podAnnotations },
        spec: {
          restartPolicy: "Never",
          // Only a deploy step gets an API token, for the ServiceAccount that may manage workloads here.
          serviceAccountName: step.deploy === true ? DEPLOY_SERVICE_ACCOUNT_NAME : STEP_SERVICE_ACCOUNT_NAME,
          automountServiceAccountToken: step.deploy === true,
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: STEP_RUN_AS_USER, runAsGroup: STEP_RUN_AS_USER, fsGroup: STEP_RUN_AS_USER, seccompProfile: { type: "RuntimeDefault" } },
          volumes: [{ name: "workspace", emptyDir: {} }],
          initContainers: [source],
          containers: [main],
        },
      },
    },
  };
}

/** Reduces a step name to a label value: DNS-1123 characters, at most 63. */
export function sanitizeLabelValue(text: string): string {
  const value = text.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 63).replace(/^-+|-+$/g, "");
  return value === "" ? "step" : value;
}

/**
 * Points Helm in a deploy step at ConfigMaps for its release records, because the deploy
 * ServiceAccount may not read Secrets. A step that sets HELM_DRIVER itself keeps its value.
 */
function buildDeployEnv(step: StepSpec): V1EnvVar[] {
  if (step.deploy !== true || "HELM_DRIVER" in step.env) return [];
  return [{ name: "HELM_DRIVER", value: "configmap" }];
}

function buildUserEnv(step: StepSpec): V1EnvVar[] {
  return Object.entries(step.env).map(([name, value]) => ({ name, value }));
}

function buildScriptEnv(step: StepSpec): V1EnvVar[] {
  const env: V1EnvVar[] = [
    { name: SCRIPT_ENV.run, value: step.run },
    { name: SCRIPT_ENV.terminationLog, value: TERMINATION_LOG_PATH },
  ];
  if (step.junitPath !== undefined) {
    env.push({ name: SCRIPT_ENV.junitPath, value: step.junitPath }, { name: SCRIPT_ENV.summaryAwk, value: JUNIT_SUMMARY_AWK });
  }
  return env;
}
