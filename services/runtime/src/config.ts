import { DicomtrailError } from './errors.js';

/**
 * Configuration from environment variables: each service declares its variables once (name,
 * type, default, description), `loadConfig` validates them all and reports every problem at once.
 * Nothing else in a service reads process.env.
 */
type Base<T> = { description: string; default?: T; required?: boolean };
export type VarSpec =
  | (Base<string> & { type: 'string'; pattern?: RegExp })
  | (Base<number> & { type: 'int'; min?: number; max?: number })
  | (Base<boolean> & { type: 'bool' })
  | (Base<string> & { type: 'enum'; values: readonly string[] })
  | (Base<readonly string[]> & { type: 'list' });

export type ConfigSpec = Record<string, VarSpec>;

type ValueOf<S extends VarSpec> = S extends { type: 'int' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : S extends { type: 'list' }
      ? string[]
      : string;

export type ConfigOf<S extends ConfigSpec> = {
  [K in keyof S]: S[K] extends { default: unknown } | { required: true }
    ? ValueOf<S[K]>
    : ValueOf<S[K]> | undefined;
};

export class ConfigError extends DicomtrailError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('DT_ERR_CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`, { problems });
    this.problems = problems;
  }
}

function parseOne(name: string, spec: VarSpec, raw: string): { value?: unknown; problem?: string } {
  switch (spec.type) {
    case 'string':
      if (spec.pattern && !spec.pattern.test(raw))
        return { problem: `${name}=${JSON.stringify(raw)} must match ${spec.pattern}` };
      return { value: raw };
    case 'int': {
      if (!/^-?\d+$/.test(raw.trim())) return { problem: `${name}=${JSON.stringify(raw)} is not an integer` };
      const n = Number(raw);
      if (spec.min !== undefined && n < spec.min) return { problem: `${name}=${n} is below ${spec.min}` };
      if (spec.max !== undefined && n > spec.max) return { problem: `${name}=${n} is above ${spec.max}` };
      return { value: n };
    }
    case 'bool': {
      const v = raw.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(v)) return { value: true };
      if (['0', 'false', 'no', 'off', ''].includes(v)) return { value: false };
      return { problem: `${name}=${JSON.stringify(raw)} is not a boolean (true/false)` };
    }
    case 'enum':
      if (!spec.values.includes(raw))
        return { problem: `${name}=${JSON.stringify(raw)} must be one of ${spec.values.join(', ')}` };
      return { value: raw };
    case 'list':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      };
  }
}

export function loadConfig<S extends ConfigSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) {
    const raw = env[name];
    if (raw === undefined || (raw === '' && s.type !== 'string')) {
      if (s.required && s.default === undefined) problems.push(`${name} is required: ${s.description}`);
      out[name] = s.default;
      continue;
    }
    const r = parseOne(name, s, raw);
    if (r.problem) problems.push(r.problem);
    else out[name] = r.value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/** A Markdown table of the variables, for docs/configuration.md. */
export function describeConfig(spec: ConfigSpec): string {
  const rows = Object.entries(spec).map(([name, s]) => {
    const shown = Array.isArray(s.default) ? s.default.join(',') : String(s.default);
    const def =
      s.default === undefined
        ? s.required
          ? '(required)'
          : '(unset)'
        : shown === ''
          ? '(empty)'
          : `\`${shown}\``;
    const extra = s.type === 'enum' ? ` One of: ${s.values.join(', ')}.` : '';
    return `| \`${name}\` | ${def} | ${s.description}${extra} |`;
  });
  return ['| variable | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

/** Start-up helper: the config, or a fatal log listing every problem and exit code 2. */
export function loadConfigOrExit<S extends ConfigSpec>(
  spec: S,
  log: StartupLog,
  env: NodeJS.ProcessEnv = process.env,
): ConfigOf<S> {
  return configOrExit(() => loadConfig(spec, env), log);
}

type StartupLog = { fatal: (obj: object, msg: string) => void; flush?: () => void };

/**
 * Start-up helper for what is derived from the config (files read, combinations checked): its value, or, when it
 * throws, a fatal log listing the problems (a ConfigError's, else the error's message) and exit code 2.
 */
export function configOrExit<T>(derive: () => T, log: StartupLog): T {
  try {
    return derive();
  } catch (err) {
    log.fatal(
      {
        problems:
          err instanceof ConfigError ? err.problems : [err instanceof Error ? err.message : String(err)],
      },
      'invalid configuration',
    );
    log.flush?.();
    process.exit(2);
  }
}
