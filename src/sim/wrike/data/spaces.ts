/** `GET /spaces`: a few spaces; with three or more, the last one is archived (hidden unless withArchived=true). */
import { CODE } from '../ids.js';
import type { World } from './world.js';

const TITLES = ['Marketing', 'Engineering', 'Operations', 'Sales', 'Design', 'Finance', 'People', 'Legal'];
const ACCESS = ['Public', 'Private', 'Public', 'Personal'] as const;

export function spaceId(w: World, k: number): string {
  return w.ids.id(CODE.space, k);
}

export function isArchivedSpace(w: World, k: number): boolean {
  return w.counts.spaces >= 3 && k === w.counts.spaces - 1;
}

/** Spaces new folders and projects can go into (the archived one gets none). */
export function activeSpaceCount(w: World): number {
  const n = w.counts.spaces;
  return n >= 3 ? n - 1 : n;
}

export function spaceTitle(k: number): string {
  const t = TITLES[k % TITLES.length]!;
  return k < TITLES.length ? t : `${t} ${Math.floor(k / TITLES.length) + 1}`;
}

export function space(w: World, k: number): Record<string, unknown> {
  const id = spaceId(w, k);
  return {
    id,
    title: spaceTitle(k),
    avatarUrl: `https://www.wrike.com/static/spaceicons2/v3/${k % 12}/${k % 7}.png`,
    accessType: ACCESS[k % ACCESS.length],
    archived: isArchivedSpace(w, k),
    description: `${spaceTitle(k)} work`,
    defaultProjectWorkflowId: w.workflows[k % w.workflows.length]!.id,
    defaultTaskWorkflowId: w.workflows[0]!.id,
  };
}

export function* spaces(w: World, withArchived: boolean): Generator<Record<string, unknown>> {
  for (let k = 0; k < w.counts.spaces; k++) {
    if (withArchived || !isArchivedSpace(w, k)) yield space(w, k);
  }
}
