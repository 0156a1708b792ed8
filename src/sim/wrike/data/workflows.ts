/** `GET /workflows`: the default workflow and two custom ones, each embedding its customStatuses. */
import type { World } from './world.js';

export function* workflows(w: World): Generator<Record<string, unknown>> {
  for (const wf of w.workflows) {
    yield {
      id: wf.id,
      name: wf.name,
      standard: wf.standard,
      hidden: wf.hidden,
      customStatuses: wf.customStatuses.map((s) => ({ ...s })),
    };
  }
}
