import { z } from "zod";
import { checkPreviewHostTemplate } from "../environments/preview-host.ts";

/** Build namespace used when the org policy names none. */
export const DEFAULT_BUILD_NAMESPACE = "paddock-builds";

/** A registry host with an optional port and path, such as `registry.example.com/paddock`. */
const REGISTRY_PREFIX_PATTERN = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
const DNS_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN_PATTERN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

function objectNameSchema(field: string) {
  return z.string().regex(DNS_SUBDOMAIN_PATTERN, {
    error: (issue) => `invalid ${field} ${JSON.stringify(issue.input)}: use a Kubernetes object name of lowercase letters, digits, '-' and '.'`,
  });
}

export const previewSchema = z
  .strictObject({
    host: z
      .string()
      .superRefine((template, context) => {
        const problem = checkPreviewHostTemplate(template);
        if (problem !== undefined) context.addIssue({ code: "custom", message: `invalid preview host ${JSON.stringify(template)}: ${problem}` });
      })
      .describe("Host template of preview URLs, such as {environment}.preview.example.com; {environment}, {repo} and {number} are filled in."),
    ingressClass: objectNameSchema("ingressClass").optional().describe("IngressClass of preview Ingresses; the cluster's default class when unset."),
  })
  .describe("Preview URLs for services that a repository exposes.");

export const buildSchema = z
  .strictObject({
    registry: z
      .string()
      .regex(REGISTRY_PREFIX_PATTERN, {
        error: (issue) => `invalid build registry ${JSON.stringify(issue.input)}: use a registry host with an optional path, such as registry.example.com/paddock`,
      })
      .optional()
      .describe("Where built images are pushed, as <registry>/<owner>/<repo>/<image>:<sha>. Repositories with images need it."),
    namespace: z
      .string()
      .regex(DNS_LABEL_PATTERN, {
        error: (issue) => `invalid build namespace ${JSON.stringify(issue.input)}: use a DNS label of at most 63 lowercase letters, digits and '-'`,
      })
      .default(DEFAULT_BUILD_NAMESPACE)
      .describe(`Namespace where image builds run, apart from every environment; ${DEFAULT_BUILD_NAMESPACE} when unset.`),
    runtimeClass: objectNameSchema("runtimeClass").optional().describe("RuntimeClass of build pods, such as gvisor or kata."),
    pushSecret: objectNameSchema("pushSecret")
      .optional()
      .describe(
        "Name prefix of the push Secrets in the build namespace: a repository's builds mount <pushSecret>-<repository id>, " +
          "a kubernetes.io/dockerconfigjson Secret that may push only below that repository's path.",
      ),
  })
  .describe("Image builds for repositories whose config lists images (Kubernetes provider).");

/** The org policy's preview section. */
export type PreviewPolicy = z.output<typeof previewSchema>;
/** The org policy's build section, with defaults filled in. */
export type BuildPolicy = z.output<typeof buildSchema>;
