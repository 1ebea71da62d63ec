/**
 * fast-check arbitraries built from a node's own parameter descriptions (`description.properties`):
 * type, options, default, typeOptions min/max and precision, displayOptions, collections and
 * fixedCollections. A new option is generated without a new test. Values are in range and out of
 * range, fractional where an integer is meant, odd strings and odd types, raw or through an
 * expression, as they arrive from expressions and imported workflows (n8n's engine enforces none of
 * the editor's limits at run time).
 */
import fc from 'fast-check';
import type { INodeProperties, INodePropertyCollection } from 'n8n-workflow';

type Arb = fc.Arbitrary<unknown>;

/** Per parameter path (names joined by dots, e.g. "options.stop", "scorers.scorer.labels"). */
export interface GeneratorHints {
	/** Extra values for a parameter, mixed with the generic ones for its type. */
	extra?: Record<string, Arb>;
	/** Replaces the generic values entirely (e.g. timing options kept fast, a pinned provider); split by mode or the same in both. */
	only?: Record<string, Arb | { valid: Arb; odd: Arb }>;
	/** Parameters left out. */
	skip?: string[];
}

/** n8n's expression form of a literal, so the value arrives as the expression's result. */
export function asExpression(value: unknown): string {
	if (typeof value === 'number' && !Number.isFinite(value)) return `={{ ${String(value)} }}`;
	return `={{ ${JSON.stringify(value)} }}`;
}

/** A scalar, sometimes raw and sometimes through an expression; NaN and Infinity only fit an expression. */
function rawOrExpression(values: Arb): Arb {
	return fc.tuple(values, fc.boolean()).map(([value, viaExpression]) => {
		const special = typeof value === 'number' && !Number.isFinite(value);
		const scalar = value === null || ['string', 'number', 'boolean'].includes(typeof value);
		// A raw string starting with "=" would itself be an expression.
		const rawString = typeof value === 'string' && value.startsWith('=');
		// A literal holding braces would end n8n's {{ }} early: it stays raw.
		const braces = typeof value === 'string' && /[{}]/.test(value);
		return scalar && !braces && (viaExpression || special || rawString) ? asExpression(value) : value;
	});
}

export const ODD_STRINGS = [
	'',
	' ',
	'\n',
	'x',
	'0',
	'-1',
	'1.5',
	'1e3',
	'auto',
	'null',
	'true',
	'{"a": 1}',
	'[1, 2]',
	'[/INST]',
	'{{item.missing}}',
	'ünïcødé 🚀 中文',
	'line one\nline two\nline three\nline four\nline five',
	'a'.repeat(64),
	'a'.repeat(65),
	'é'.repeat(513),
	'long '.repeat(2000),
];

const oddString: Arb = fc.oneof(
	{ arbitrary: fc.constantFrom(...ODD_STRINGS), weight: 4 },
	{ arbitrary: fc.string({ maxLength: 24 }), weight: 2 },
	{ arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }), weight: 1 },
);

/** Not the type the parameter has: what an expression can give instead. */
const oddType: Arb = fc.constantFrom<unknown>(null, true, 0, -3.5, 'abc', '', '  7 ', [], {});

function typeOptions(property: INodeProperties): { minValue?: number; maxValue?: number; numberPrecision?: number } {
	return (property.typeOptions ?? {}) as { minValue?: number; maxValue?: number; numberPrecision?: number };
}

function numberValues(property: INodeProperties): Split {
	const { minValue: min, maxValue: max, numberPrecision } = typeOptions(property);
	// Without a precision the editor steps in whole numbers: a fraction is out of the UI's contract.
	const integer = !numberPrecision;
	const low = min ?? -1000;
	const high = max ?? (min !== undefined ? min + 1000 : 1000);
	const inRange: Arb[] = [fc.constantFrom(low, high), fc.integer({ min: Math.ceil(low), max: Math.floor(high) })];
	if (!integer) inRange.push(fc.double({ min: low, max: high, noNaN: true, noDefaultInfinity: true }).map((v) => +v.toFixed(numberPrecision ?? 2)));
	const outside: unknown[] = [2 ** 31, 2 ** 31 - 1, 2 ** 53, 2 ** 63, 1e21, -1e9, NaN, Infinity, -Infinity];
	if (min !== undefined) outside.push(min - 1, min - 0.5, min - 1e-6);
	if (max !== undefined) outside.push(max + 1, max + 0.5, max + 1e-6);
	const fractional = fc.integer({ min: Math.ceil(low), max: Math.floor(high) }).map((v) => v + 0.5);
	return {
		valid: fc.oneof({ arbitrary: fc.constant(property.default), weight: 1 }, { arbitrary: fc.oneof(...inRange), weight: 3 }),
		odd: fc.oneof(
			{ arbitrary: fc.constantFrom(...outside), weight: 3 },
			...(integer ? [{ arbitrary: fractional, weight: 2 }] : []),
			{ arbitrary: fc.constantFrom<unknown>('abc', '', '5', ' 2 ', '1e2', 'auto', null, true), weight: 1 },
		),
	};
}

function stringValues(property: INodeProperties): Split {
	return {
		valid: fc.oneof({ arbitrary: fc.constant(property.default), weight: 3 }, { arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 1 }),
		odd: fc.oneof({ arbitrary: oddString, weight: 3 }, { arbitrary: oddType, weight: 1 }),
	};
}

function booleanValues(): Split {
	return { valid: fc.boolean(), odd: fc.constantFrom<unknown>('true', 'false', 1, 0, null) };
}

function jsonValues(property: INodeProperties): Split {
	return {
		valid: fc.constantFrom<unknown>(property.default, '{}'),
		odd: fc.oneof(
			{ arbitrary: fc.constantFrom<unknown>('[]', '', 'not json', '"text"', '5', 'null', '{"a": '), weight: 2 },
			{ arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), weight: 1 },
		),
	};
}

function optionValues(property: INodeProperties, controls: boolean): Split {
	const values = (property.options ?? []).map((option) => (option as { value: unknown }).value);
	const valid = values.length === 0 ? fc.constant(property.default) : fc.constantFrom(...values);
	// A value picked in the editor; a parameter that takes expressions can receive any string.
	if (property.noDataExpression || controls) return { valid, odd: valid };
	return { valid, odd: fc.constantFrom<unknown>('bogus', '', asExpression('bogus')) };
}

function resourceLocatorValues(property: INodeProperties): Split {
	const modes = (property.modes ?? []).map((mode) => mode.name);
	const locator = (value: Arb) => fc.tuple(fc.constantFrom(...(modes.length ? modes : ['id'])), value).map(([mode, id]) => ({ __rl: true, mode, value: id }));
	return { valid: locator(fc.constantFrom('gpt-4.1-mini', 'o4-mini', 'llama3.1:8b')), odd: locator(oddString) };
}

/** The parameter names any displayOptions in these properties refer to: they are chosen in the editor, never expressions. */
export function controllingNames(properties: INodeProperties[]): Set<string> {
	const names = new Set<string>();
	const walk = (list: INodeProperties[]) => {
		for (const property of list) {
			for (const rule of [property.displayOptions?.show, property.displayOptions?.hide]) {
				for (const key of Object.keys(rule ?? {})) names.add(key.replace(/^\//, ''));
			}
			if (property.type === 'collection') walk((property.options ?? []) as INodeProperties[]);
			if (property.type === 'fixedCollection') for (const group of (property.options ?? []) as INodePropertyCollection[]) walk(group.values);
		}
	};
	walk(properties);
	return names;
}

interface Split {
	valid: Arb;
	odd: Arb;
}

/**
 * "valid": every value one the editor allows (the request's shape is under test). "odd": now and then
 * (about one value in eight) a value out of range, of the wrong kind or an odd string, so that a
 * configuration usually has one such value and the check for it, not another one, is what answers.
 */
export type Mode = 'valid' | 'odd';

export interface Generator {
	hints: GeneratorHints;
	controls: Set<string>;
	mode: Mode;
}

function pick(split: Split, mode: Mode): Arb {
	return mode === 'valid' ? split.valid : fc.oneof({ arbitrary: split.valid, weight: 7 }, { arbitrary: split.odd, weight: 1 });
}

function valuesFor(property: INodeProperties, path: string, generator: Generator): Arb | undefined {
	const { hints, controls } = generator;
	if (hints.skip?.includes(path)) return undefined;
	const only = hints.only?.[path];
	if (only) return 'valid' in only ? pick(only as Split, generator.mode) : (only as Arb);
	let split: Split;
	switch (property.type) {
		case 'number':
			split = numberValues(property);
			break;
		case 'string':
			split = stringValues(property);
			break;
		case 'boolean':
			split = controls.has(property.name) ? { valid: fc.boolean(), odd: fc.boolean() } : booleanValues();
			break;
		case 'json':
			split = jsonValues(property);
			break;
		case 'options':
			split = optionValues(property, controls.has(property.name));
			break;
		case 'resourceLocator':
			split = resourceLocatorValues(property);
			break;
		case 'collection':
			return collectionValues((property.options ?? []) as INodeProperties[], path, generator);
		case 'fixedCollection':
			return fixedCollectionValues(property, path, generator);
		default:
			// notice, hidden and other display-only types carry no value worth generating.
			return undefined;
	}
	const scalar = ['number', 'string', 'boolean'].includes(property.type);
	const generic = scalar ? rawOrExpression(pick(split, generator.mode)) : pick(split, generator.mode);
	const extra = hints.extra?.[path];
	const values = extra ? fc.oneof({ arbitrary: generic, weight: 1 }, { arbitrary: extra, weight: 2 }) : generic;
	// n8n itself refuses to run a node whose required parameter is empty ("has issues"): the other odd values test the node.
	return property.required ? values.filter((value) => !isEmpty(value)) : values;
}

const isEmpty = (value: unknown) =>
	value === '' || value === null || value === undefined || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && value !== null && Object.keys(value).length === 0);

/** Left out (n8n's default) more often than set, so that a configuration has a few options, not all. */
const sometimes = (values: Arb): Arb => fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: values, weight: 1 });
const withoutUnset = (values: Record<string, unknown>) => Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));

/** Each option may be added or not. */
function collectionValues(options: INodeProperties[], path: string, generator: Generator): Arb {
	const model: Record<string, Arb> = {};
	for (const option of options) {
		const values = valuesFor(option, `${path}.${option.name}`, generator);
		if (values) model[option.name] = sometimes(values);
	}
	return fc.record(model).map((values) => withoutUnset(values as Record<string, unknown>));
}

function fixedCollectionValues(property: INodeProperties, path: string, generator: Generator): Arb {
	const multiple = (property.typeOptions as { multipleValues?: boolean } | undefined)?.multipleValues === true;
	const model: Record<string, Arb> = {};
	for (const group of (property.options ?? []) as INodePropertyCollection[]) {
		// The editor stores every field of an entry it shows.
		const fields: Record<string, Arb> = {};
		for (const field of group.values) {
			const values = valuesFor(field, `${path}.${group.name}.${field.name}`, generator);
			if (values) fields[field.name] = values;
		}
		const entry = fc.record(fields).map((values) => resolveVisible(group.values, values as Record<string, unknown>));
		model[group.name] = multiple ? fc.array(entry, { minLength: 1, maxLength: 3 }) : entry;
	}
	// In "valid" configurations the entries are there (an empty list is n8n's default, and the node's first refusal).
	return fc.record(model, { requiredKeys: generator.mode === 'valid' ? Object.keys(model) : [] });
}

function defaultsOf(properties: INodeProperties[]): Record<string, unknown> {
	return Object.fromEntries(properties.map((property) => [property.name, property.default]));
}

/** n8n's displayOptions: every `show` key's value among the listed ones, no `hide` key's. */
export function isShown(property: INodeProperties, values: Record<string, unknown>, root: Record<string, unknown> = values): boolean {
	const valueOf = (key: string) => (key.startsWith('/') ? root[key.slice(1)] : values[key]);
	const matches = (key: string, allowed: unknown) => {
		if (key.startsWith('@')) return undefined; // @version and the like: not ours to decide
		if (!Array.isArray(allowed)) return undefined;
		return allowed.some((candidate) => candidate === valueOf(key));
	};
	for (const [key, allowed] of Object.entries(property.displayOptions?.show ?? {})) if (matches(key, allowed) === false) return false;
	for (const [key, allowed] of Object.entries(property.displayOptions?.hide ?? {})) if (matches(key, allowed) === true) return false;
	return true;
}

/** Drops what the editor would not show for these values (in order: a hidden parameter counts as its default). */
export function resolveVisible(properties: INodeProperties[], values: Record<string, unknown>, root?: Record<string, unknown>): Record<string, unknown> {
	const effective: Record<string, unknown> = { ...defaultsOf(properties), ...values };
	const kept: Record<string, unknown> = {};
	for (const property of properties) {
		const value = values[property.name];
		if (value === undefined) continue;
		if (!isShown(property, effective, root ?? effective)) {
			effective[property.name] = property.default;
			continue;
		}
		kept[property.name] = property.type === 'collection' ? resolveVisible((property.options ?? []) as INodeProperties[], value as Record<string, unknown>, root ?? effective) : value;
	}
	return kept;
}

/**
 * A node's parameters: each top-level parameter set or left at its default (n8n fills defaults),
 * hidden ones dropped as the editor would.
 */
export function parametersArbitrary(properties: INodeProperties[], hints: GeneratorHints = {}, mode: Mode = 'odd'): fc.Arbitrary<Record<string, unknown>> {
	const generator: Generator = { hints, controls: controllingNames(properties), mode };
	const model: Record<string, Arb> = {};
	for (const property of properties) {
		const values = valuesFor(property, property.name, generator);
		if (values) model[property.name] = values;
	}
	// Pinned parameters, and required ones whose default is empty (n8n would refuse the node before it runs), are always set.
	const emptyDefault = (property: INodeProperties) => isEmpty(property.default) || isEmpty((property.default as { value?: unknown } | undefined)?.value);
	const required = Object.keys(model).filter((key) => hints.only?.[key] !== undefined || properties.some((p) => p.name === key && p.required && emptyDefault(p)));
	return fc.record(model, { requiredKeys: required }).map((values) => resolveVisible(properties, values as Record<string, unknown>));
}
