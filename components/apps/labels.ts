import type { Color } from "../../stacks/apps-schema";
import { commonLabels, LABEL } from "../core/labels";

/**
 * Label keys of app objects: Kubernetes' recommended `app.kubernetes.io/*` set plus the platform's colour
 * and role. Services select pods by name + colour only, so a new image (version label) never changes a
 * selector, and nothing but an app's own pods of one colour can ever match.
 */
export const APP_LABEL = {
  name: "app.kubernetes.io/name",
  instance: "app.kubernetes.io/instance",
  version: "app.kubernetes.io/version",
  component: "app.kubernetes.io/component",
  partOf: LABEL.partOf,
  managedBy: LABEL.managedBy,
  environment: LABEL.environment,
  /** blue | green: on Deployments, their pods, colour Services, PDBs, HPAs. Never on gate pods. */
  color: "platform.io/color",
  /** active | preview: on the two traffic Services only; the ServiceMonitor copies it onto every series. */
  role: "platform.io/role",
} as const;

export const SERVER_COMPONENT = "server";
export const GATE_COMPONENT = "promotion-gate";
export const SCALE_DOWN_DELAY_COMPONENT = "scale-down-delay";

/** Labels on every object of an app. `part-of` is the app: its objects form one application. */
export function appLabels(app: string, environment: string, component = SERVER_COMPONENT): Record<string, string> {
  return {
    ...commonLabels(environment),
    [APP_LABEL.partOf]: app,
    [APP_LABEL.name]: app,
    [APP_LABEL.instance]: app,
    [APP_LABEL.component]: component,
  };
}

/** The selector of one colour's pods (Deployment selector, colour Service, PDB, topology spread). */
export function colorSelector(app: string, color: Color): Record<string, string> {
  return { [APP_LABEL.name]: app, [APP_LABEL.color]: color };
}

/**
 * Labels of one colour's objects: the app's, with the colour and its instance; with `version` (the image
 * tag) on the Deployment and its pods only, so a new image relabels nothing else.
 */
export function colorLabels(app: string, environment: string, color: Color, version?: string): Record<string, string> {
  return {
    ...appLabels(app, environment),
    [APP_LABEL.instance]: `${app}-${color}`,
    ...(version === undefined ? {} : { [APP_LABEL.version]: version }),
    [APP_LABEL.color]: color,
  };
}

/** Pods of the gate (and of the scale-down delay): they carry no colour, so no Service or PDB selects them. */
export function jobPodSelector(app: string, component: string): Record<string, string> {
  return { [APP_LABEL.name]: app, [APP_LABEL.component]: component };
}
