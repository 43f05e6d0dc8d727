/** The adapter as a user runs it (its CLI, a real process) publishing to the test's topic. */
import { type AdapterProcess, startAdapterProcess } from '@dicomtrail/testing';

export type { AdapterProcess };

/** `env`: more of the adapter's variables (e.g. PROXY_UPSTREAM for proxy mode). */
export function startAdapter(
  topic: string,
  brokers: string[],
  env: Record<string, string> = {},
): Promise<AdapterProcess> {
  return startAdapterProcess({ topic, brokers, env });
}
