import { z } from "zod";
import { approvalSchema, countCapSchema, denySchema, listSchema, registrySchema } from "../policy/policy-fields.ts";
import { checkStackReferences } from "./check-stack-references.ts";
import { readCheckableStack } from "./checkable-stack.ts";
import { DNS_LABEL_PATTERN, durationSchema, envMapSchema, isCheckoutRelativePath, rejectUnsafeText, ttlSchema } from "./config-fields.ts";
import { exposeSchema, imagesSchema, servicesSchema } from "./service-config-schema.ts";
import { parseCpuMillis, parseDurationSeconds, parseMemoryBytes, suggestMemoryQuantity } from "./units.ts";

export { durationSchema, ttlSchema } from "./config-fields.ts";
export type { ExposeConfig, ImageConfig, ReadyCheck, ServiceConfig } from "./service-config-schema.ts";

/** Longest step name: it becomes part of Kubernetes Job names, which must stay DNS-1123 labels. */
export const MAX_STEP_NAME_LENGTH = 40;
/** Most steps a pipeline may have. */
export const MAX_STEPS = 20;

/** Maximum step timeout a config may set: 24 hours, in seconds. */
export const MAX_STEP_TIMEOUT_SECONDS = 86_400;

const STEP_NAME_PATTERN = DNS_LABEL_PATTERN;

/**
 * Maximum CPU a config or policy may request per step: 1,024 cores, in millicores. Like the
 * memory maximum it is a typo guard, and it keeps every value that passes config small enough
 * for the cost code, which requires safe integers.
 */
export const MAX_CPU_MILLIS = 1_024_000;
/** Maximum memory a config or policy may request per step: 64Ti, in bytes. */
export const MAX_MEMORY_BYTES = 64 * 1024 ** 4;

/** A Kubernetes CPU quantity such as `1`, `0.5` or `500m`, at most 1024 cores. */
export const cpuSchema = z
  .union([z.string(), z.number()])
  .transform((value) => String(value))
  .refine((value) => (parseCpuMillis(value) ?? 0) > 0, {
    error: (issue) =>
      `invalid CPU quantity ${JSON.stringify(issue.input)}: use a positive Kubernetes quantity such as 1, 0.5 or 500m`,
    abort: true,
  })
  .refine((value) => parseCpuMillis(value)! <= MAX_CPU_MILLIS, {
    error: (issue) => `CPU quantity ${JSON.stringify(issue.input)} is more than the maximum of 1024 cores: request fewer cores, such as 4`,
  })
  .describe("CPU as a Kubernetes quantity: 1, 0.5 or 500m; at most 1024.");

/** A Kubernetes memory quantity such as `512Mi` or `2Gi`. */
export const memorySchema = z
  .string()
  .refine((value) => (parseMemoryBytes(value) ?? 0) > 0, {
    error: (issue) => {
      const suggestion = suggestMemoryQuantity(String(issue.input));
      const example = suggestion ? `${suggestion} (binary units)` : "512Mi or 2Gi";
      return `invalid memory quantity ${JSON.stringify(issue.input)}: use a Kubernetes quantity such as ${example}`;
    },
    abort: true,
  })
  .refine((value) => parseMemoryBytes(value)! <= MAX_MEMORY_BYTES, {
    error: (issue) => `memory quantity ${JSON.stringify(issue.input)} is more than the maximum of 64Ti: request less memory, such as 8Gi`,
  })
  .describe("Memory as a Kubernetes quantity: 512Mi, 2Gi; at most 64Ti.");

/** Resources each step gets when the repository sets none, unless the actor's profile caps them lower. */
export const DEFAULT_STEP_RESOURCES = { cpu: "1", memory: "2Gi" } as const;

export const resourcesSchema = z
  .strictObject({
    cpu: cpuSchema.optional().describe(`CPU each step requests; ${DEFAULT_STEP_RESOURCES.cpu} when unset.`),
    memory: memorySchema.optional().describe(`Memory each step requests; ${DEFAULT_STEP_RESOURCES.memory} when unset.`),
    pods: countCapSchema.optional().describe("Most pods the environment may run at once; the profile's cap when unset."),
  })
  .describe("Resources requested for each step of the environment.");

/**
 * The environment settings. Paddock reads them from the repository's default branch, never
 * from a pull request head, and judges them against the org policy: each may only tighten it.
 */
export const environmentSchema = z
  .strictObject({
    resources: resourcesSchema.optional(),
    ttl: ttlSchema.optional().describe("How long the environment lives before the sweeper removes it; the profile's default when unset."),
    egress: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Hosts that steps may reach. Empty or unset means no network at all; ["*"] allows any host. ' +
          "The local provider cannot filter by host, so there only [\"*\"] turns the network on.",
      ),
    concurrency: z
      .strictObject({
        perRepository: countCapSchema.optional().describe("Most live environments of the actor's class in this repository."),
        perActor: countCapSchema.optional().describe("Most live environments one actor may have in this repository."),
      })
      .optional(),
    registries: listSchema(registrySchema).optional().describe("Image registries steps may pull from; narrows the org's list."),
    deny: denySchema.optional(),
    approval: approvalSchema.optional(),
    requireImageDigest: z.boolean().optional().describe("Whether every step image must be pinned by digest."),
    secrets: z.boolean().optional().describe("Whether the environment asks for repository secrets; false when unset."),
  })
  .describe("The environment every step runs in, read from the default branch.");

/** The environment section of a repository config. */
export type RepoEnvironment = z.output<typeof environmentSchema>;

export const stepSchema = z
  .strictObject({
    name: z
      .string()
      .max(MAX_STEP_NAME_LENGTH, { error: `step name is longer than ${MAX_STEP_NAME_LENGTH} characters` })
      .regex(STEP_NAME_PATTERN, {
        error: (issue) =>
          `invalid step name ${JSON.stringify(issue.input)}: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
      })
      .describe("Step name, shown on the check run; lowercase letters, digits and '-'."),
    image: z
      .string()
      .min(1)
      .superRefine(rejectUnsafeText("step image", { controls: true }))
      .optional()
      .describe("Container image; used by the Kubernetes provider."),
    run: z
      .string()
      .min(1)
      .superRefine(rejectUnsafeText("step command", { controls: false }))
      .describe("Shell command, run with /bin/sh -c in the checkout."),
    timeout: durationSchema
      .refine((value) => (parseDurationSeconds(value) ?? 0) <= MAX_STEP_TIMEOUT_SECONDS, {
        error: (issue) => `step timeout ${JSON.stringify(issue.input)} is longer than the maximum of 24h: split the step or shorten it`,
      })
      .default("10m")
      .describe("Time after which the step and all its processes are killed; at most 24h."),
    junit: z
      .string()
      .min(1)
      .superRefine(rejectUnsafeText("JUnit report path", { controls: true }))
      .refine(isCheckoutRelativePath, {
        error: (issue) => `invalid JUnit report path ${JSON.stringify(issue.input)}: use a path relative to the checkout, without '..' and not starting with '/'`,
      })
      .optional()
      .describe("Path of a JUnit XML report the step writes, relative to the checkout; failed cases become annotations."),
    deploy: z
      .boolean()
      .optional()
      .describe(
        "Whether the step may manage workloads (Deployments, Services, Jobs and the like) in its own namespace, for a deploy tool such as Helm. " +
          "Kubernetes provider only; the local provider ignores it.",
      ),
    env: envMapSchema
      .default({})
      .describe("Extra environment variables for the step."),
  })
  .describe("One pipeline step.");

export const repoConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("JSON Schema reference for editors; ignored by Paddock."),
    environment: environmentSchema.optional(),
    steps: z
      .array(stepSchema)
      .min(1, { error: "steps is empty: add at least one step with a name and a run command" })
      .max(MAX_STEPS, { error: `more than ${MAX_STEPS} steps: merge some of them` })
      // Also runs when a step is invalid, on the names that are strings.
      .superRefine(
        (steps, context) => {
          const seen = new Set<string>();
          steps.forEach((step: { name?: unknown } | undefined, index) => {
            if (typeof step?.name !== "string") return;
            if (seen.has(step.name)) {
              context.addIssue({
                code: "custom",
                path: [index, "name"],
                message: `duplicate step name ${JSON.stringify(step.name)}: each step needs its own name`,
              });
            }
            seen.add(step.name);
          });
        },
        { when: (payload) => Array.isArray(payload.value) },
      ),
    images: imagesSchema.optional(),
    services: servicesSchema.optional(),
    expose: exposeSchema.optional(),
  })
  // The cross-field checks also run when other fields are invalid, so one pass reports every problem.
  .superRefine(
    (config, context) => {
      for (const problem of checkStackReferences(readCheckableStack(config, context.issues))) context.addIssue({ code: "custom", ...problem });
    },
    { when: (payload) => typeof payload.value === "object" && payload.value !== null && !Array.isArray(payload.value) },
  )
  .describe("Paddock repository config, read from .github/paddock.yml.");

/** A validated `.github/paddock.yml`, with defaults filled in. */
export type RepoConfig = z.output<typeof repoConfigSchema>;
export type StepConfig = RepoConfig["steps"][number];
