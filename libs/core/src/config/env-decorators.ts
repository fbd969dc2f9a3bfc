import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsBoolean, IsInt, IsNumber, IsString, Matches, Max, Min } from 'class-validator';
import { intFromString } from '../http/query-transforms';

/**
 * Composite decorators for `AppConfig`'s environment variables: each states the type (and its
 * conversion from text) and the range once, instead of four stacked decorators per setting.
 */

type PropertyDecorator = (target: object, propertyKey: string | symbol) => void;

/**
 * Applies decorators in the order a hand-written stack runs them (bottom first), so the
 * validation messages of a setting come out in the same order as before these helpers.
 */
const stack = (...decorators: PropertyDecorator[]) => applyDecorators(...decorators.reverse());

const range = ({ min, max }: EnvRange): PropertyDecorator[] => [
  ...(min === undefined ? [] : [Min(min)]),
  ...(max === undefined ? [] : [Max(max)]),
];

export interface EnvRange {
  min?: number;
  max?: number;
}

/** Environment values are text, sometimes padded (`PORT= 4000`): trimmed before they are read. */
const trimmed = (value: unknown): unknown => (typeof value === 'string' ? value.trim() : value);

const toInt = ({ value }: { value: unknown }) => intFromString(trimmed(value));
const toFloat = ({ value }: { value: unknown }) => {
  const text = trimmed(value);
  return typeof text === 'string' && text !== '' && !Number.isNaN(Number(text)) ? Number(text) : value;
};
const toBool = ({ value }: { value: unknown }) => {
  const text = trimmed(value);
  if (typeof text !== 'string') return value;
  const v = text.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

/** An integer setting (`PORT=3000`), within `min`..`max` when given. */
export const EnvInt = (bounds: EnvRange = {}) => stack(Transform(toInt), IsInt(), ...range(bounds));

/** A decimal setting (`SIM_HIT_RATE=0.45`), within `min`..`max` when given. */
export const EnvFloat = (bounds: EnvRange = {}) => stack(Transform(toFloat), IsNumber(), ...range(bounds));

/** A boolean setting: true/1/yes or false/0/no, any case. */
export const EnvBool = () => stack(Transform(toBool), IsBoolean());

/** A comma-separated list (`PROVIDERS_EMAILS=a, b`): trimmed, empty items dropped. */
export const EnvList = () => stack(Transform(toList), IsString({ each: true }));

const HTTP_URL = /^https?:\/\/\S+$/;
const HTTP_URL_OR_EMPTY = /^(https?:\/\/\S+)?$/;

/**
 * An http(s) URL setting; `orEmpty` also accepts empty (the setting's feature is then off).
 * The message names the variable (`$property`), as the boot error lists every bad one.
 */
export const EnvUrl = ({ orEmpty = false }: { orEmpty?: boolean } = {}) =>
  stack(IsString(), Matches(orEmpty ? HTTP_URL_OR_EMPTY : HTTP_URL, { message: '$property must be an http(s) URL' }));

/** How a secret setting is shown wherever the configuration is printed or logged. */
export type SecretKind = 'hidden' | 'url-credentials';

const SECRETS = Symbol('config:secrets');

interface SecretsHolder {
  [SECRETS]?: Map<string, SecretKind>;
}

/**
 * Marks a setting as a secret: `redactConfig` (and so `JSON.stringify`, `util.inspect` and
 * loggers on an `AppConfig`) shows `[secret]` instead of a set value, or for
 * `url-credentials` the URL with its user and password removed.
 */
export const Secret =
  (kind: SecretKind = 'hidden'): PropertyDecorator =>
  (target, propertyKey) => {
    const holder = target as SecretsHolder;
    // Own map per class, so a subclass's secrets never leak into its parent's list.
    if (!Object.prototype.hasOwnProperty.call(holder, SECRETS)) holder[SECRETS] = new Map(holder[SECRETS] ?? []);
    holder[SECRETS]!.set(String(propertyKey), kind);
  };

/** The settings of a config class marked `@Secret()`, with how each is shown. */
export function secretSettings(type: abstract new (...args: never[]) => object): ReadonlyMap<string, SecretKind> {
  return (type.prototype as SecretsHolder)[SECRETS] ?? new Map();
}

export const REDACTED = '[secret]';

function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password) return url;
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return REDACTED;
  }
}

/** A copy of a config object fit to print: every secret setting that is set is masked. */
export function redactConfig<T extends object>(config: T): Record<string, unknown> {
  const secrets = (Object.getPrototypeOf(config) as SecretsHolder)[SECRETS] ?? new Map<string, SecretKind>();
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => {
      const kind = secrets.get(key);
      if (kind === undefined || value === undefined || value === '') return [key, value];
      return [key, kind === 'url-credentials' && typeof value === 'string' ? withoutCredentials(value) : REDACTED];
    }),
  );
}
