import { z } from "zod";
import { DNS_LABEL_PATTERN, durationSchema, envMapSchema, isCheckoutRelativePath, rejectUnsafeText } from "./config-fields.ts";
import { parseDurationSeconds } from "./units.ts";

/** Maximum number of images one config may build. */
export const MAX_IMAGES = 10;
/** Maximum number of services one config may run. */
export const MAX_SERVICES = 10;
/** Maximum length of an image or service name, because both become parts of Kubernetes object names that need room for a suffix. */
export const MAX_SERVICE_NAME_LENGTH = 40;
/** Maximum readiness timeout a service may set: 30 minutes, in seconds. */
export const MAX_SERVICE_TIMEOUT_SECONDS = 1_800;
/** Readiness timeout of a service that sets none. */
export const DEFAULT_SERVICE_TIMEOUT = "5m";

/**
 * An image reference as Docker reads it: an optional registry host with port, a lowercase path,
 * an optional tag and an optional sha256 digest.
 */
const IMAGE_REFERENCE_PATTERN =
  /^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?\/)?[a-z0-9]+([._-]+[a-z0-9]+)*(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[0-9a-f]{64})?$/;

/** A Dockerfile stage name. */
const BUILD_TARGET_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** An HTTP path for readiness checks: starts with '/', no whitespace or control characters. */
const HTTP_PATH_PATTERN = /^\/[^\s\x00-\x1f\x7f]*$/;

function nameSchema(kind: "image" | "service") {
  return z
    .string()
    .max(MAX_SERVICE_NAME_LENGTH, { error: (issue) => `${kind} name ${JSON.stringify(issue.input)} is longer than ${MAX_SERVICE_NAME_LENGTH} characters: shorten it` })
    .regex(DNS_LABEL_PATTERN, {
      error: (issue) =>
        `invalid ${kind} name ${JSON.stringify(issue.input)}: use lowercase letters, digits and '-', starting and ending with a letter or digit`,
    });
}

/** Builds the schema of a path inside the checkout: relative, without `..` segments. */
function checkoutPathSchema(field: "context" | "dockerfile") {
  return z
    .string()
    .refine(isCheckoutRelativePath, {
      error: (issue) => `invalid ${field} ${JSON.stringify(issue.input)}: use a path relative to the checkout, without '..' and not starting with '/'`,
    })
    .superRefine(rejectUnsafeText(field, { controls: true }));
}

const portSchema = z
  .number({ error: (issue) => `invalid port ${JSON.stringify(issue.input)}: use a whole number from 1 to 65535` })
  .int({ error: (issue) => `invalid port ${JSON.stringify(issue.input)}: use a whole number from 1 to 65535` })
  .min(1, { error: (issue) => `invalid port ${JSON.stringify(issue.input)}: use a whole number from 1 to 65535` })
  .max(65_535, { error: (issue) => `invalid port ${JSON.stringify(issue.input)}: use a whole number from 1 to 65535` });

export const imageSchema = z
  .strictObject({
    name: nameSchema("image").describe("Image name, unique among images; services refer to it by this name."),
    context: checkoutPathSchema("context").default(".").describe("Build context, a folder relative to the checkout."),
    dockerfile: checkoutPathSchema("dockerfile").default("Dockerfile").describe("Dockerfile path, relative to the checkout."),
    target: z
      .string()
      .regex(BUILD_TARGET_PATTERN, { error: (issue) => `invalid build target ${JSON.stringify(issue.input)}: use the name of a stage in the Dockerfile` })
      .optional()
      .describe("Build stage to stop at."),
    args: envMapSchema.optional().describe("Build arguments."),
  })
  .describe("An image built from the head commit. Only the Kubernetes provider builds images.");

/** Readiness check of a service: an HTTP GET whose response status is 2xx or 3xx, or a TCP connect. */
export type ReadyCheck = { http: string } | { tcp: number };

const readySchema = z
  .strictObject({
    http: z
      .string()
      .regex(HTTP_PATH_PATTERN, { error: (issue) => `invalid readiness path ${JSON.stringify(issue.input)}: use a path starting with '/', such as /healthz` })
      .optional()
      .describe("Path that must answer an HTTP GET on the service's port with a 2xx or 3xx status."),
    tcp: portSchema.optional().describe("Port that must accept a TCP connection."),
  })
  .refine((ready) => (ready.http === undefined) !== (ready.tcp === undefined), {
    error: "ready needs exactly one of http or tcp, such as { http: /healthz } or { tcp: 5432 }",
  })
  .transform((ready): ReadyCheck => (ready.http !== undefined ? { http: ready.http } : { tcp: ready.tcp! }))
  .describe("Readiness check: { http: /path } or { tcp: port }; { tcp: <port> } when unset.");

export const serviceSchema = z
  .strictObject({
    name: nameSchema("service").describe("Service name, unique among services; steps reach it through PADDOCK_SERVICE_<NAME>_URL."),
    image: z
      .string()
      .regex(IMAGE_REFERENCE_PATTERN, {
        error: (issue) => `invalid image ${JSON.stringify(issue.input)}: use the name of an entry in images, or an image reference such as postgres:16`,
      })
      .describe("The name of an entry in images, or an image reference such as postgres:16. The local provider ignores it."),
    run: z
      .string()
      .min(1)
      .superRefine(rejectUnsafeText("service command", { controls: false }))
      .optional()
      .describe("Command that starts the service, run with /bin/sh -c; replaces the image's command. Required by the local provider."),
    port: portSchema.describe("Port the service listens on."),
    ready: readySchema.optional(),
    env: envMapSchema.optional().describe("Environment variables for the service."),
    timeout: durationSchema
      .refine((value) => (parseDurationSeconds(value) ?? 0) <= MAX_SERVICE_TIMEOUT_SECONDS, {
        error: (issue) => `service timeout ${JSON.stringify(issue.input)} is longer than the maximum of 30m: make the service start faster`,
      })
      .default(DEFAULT_SERVICE_TIMEOUT)
      .describe("Time the service has to become ready; at most 30m."),
  })
  .transform((service) => ({ ...service, ready: service.ready ?? ({ tcp: service.port } as ReadyCheck) }))
  .describe("A service started before the steps run; tests reach it through PADDOCK_SERVICE_<NAME>_URL.");

export const exposeSchema = z
  .strictObject({
    service: z.string().min(1).describe("Name of the service to expose; must be in services."),
    port: portSchema.describe("Port of that service; must be the service's port."),
  })
  .describe("The service reachable at the preview URL built from the org policy's preview.host.");

export const imagesSchema = z
  .array(imageSchema)
  .max(MAX_IMAGES, { error: `more than ${MAX_IMAGES} images: build fewer images` })
  .describe("Images built from the head commit by the Kubernetes provider; the local provider builds none.");

export const servicesSchema = z
  .array(serviceSchema)
  .max(MAX_SERVICES, { error: `more than ${MAX_SERVICES} services: run fewer services` })
  .describe("Services started before the steps, in this order; the steps start once every service is ready.");

/** One entry of `images`, with defaults filled in. */
export type ImageConfig = z.output<typeof imageSchema>;
/** One entry of `services`, with defaults filled in, `ready` included. */
export type ServiceConfig = z.output<typeof serviceSchema>;
/** The `expose` section. */
export type ExposeConfig = z.output<typeof exposeSchema>;
