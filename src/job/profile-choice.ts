/**
 * Which profile a job runs in, decided without loading it: the AWS profile pulls in the AWS SDK
 * (about 40 MB of resident memory), which a local run should not pay for, so run-job.ts imports
 * it only when this says so.
 */
import type { JobParams } from '../config/index.js';
import { findProjectRoot, loadProject } from '../runtime/local/project.js';

/**
 * Whether a job runs on AWS: `--PROFILE aws` (or FLOE_PROFILE), the seed's table parameters
 * (CONFIG_TABLE / L2_CONFIG_TABLE), or `profile: aws` in the project's floe.yaml.
 */
export function wantsAwsProfile(params: JobParams, env: NodeJS.ProcessEnv = process.env): boolean {
  const profile = (params.profile ?? env.FLOE_PROFILE ?? '').trim().toLowerCase();
  if (profile === 'aws') return true;
  if (profile === 'local') return false;
  if (params.configTable !== undefined || params.l2ConfigTable !== undefined) return true;
  const root = findProjectRoot(params.project ?? '.');
  return root !== undefined && loadProject(root).profile === 'aws';
}
