/**
 * Trajectory groups from a workflow's items, checked before anything is sent:
 *  - the Reward Loop's items: each round of an item is one group (its candidates were all sampled
 *    from the same prompt, as GRPO compares them); round 1's prompt is the item's prompt, a later
 *    round's is that prompt, the best answer so far and the loop's feedback (as the loop sent it).
 *    Candidates the loop could not score (an `error`: a failed request, JSON that broke the schema)
 *    are left out; refusals are kept with the reward the loop gave them (0).
 *  - any items with a conversation and a reward: items with the same value in the group field are one group.
 * GRPO learns from the differences between the rewards of one group: a group needs at least two
 * trajectories, and a group whose rewards are all equal teaches nothing (skipped, or an error).
 * Every problem names the item and the field.
 */
import { parseFieldPath, lookupPath, MISSING } from '../../scoring/fieldPath';
import { safeParseMessageList, type ChatMessage } from '../../generate/messages';
import type { Trajectory, TrajectoryGroup } from './types';

export interface ItemProblem {
	/** The items the problem is about (one, or a group's). */
	items: number[];
	message: string;
}

export interface Grouped {
	groups: TrajectoryGroup[];
	problems: ItemProblem[];
}

interface HistoryEntry {
	round: number;
	index: number;
	text: string;
	reward: number;
	error?: string;
	refusal?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function historyOf(json: Record<string, unknown>, index: number): HistoryEntry[] | ItemProblem {
	if (typeof json.error === 'string' && json.error) return { items: [index], message: `Item ${index}: the Reward Loop failed on this item (its "error": ${json.error}); nothing of it can be trained on` };
	const history = json.history;
	if (history === undefined)
		return { items: [index], message: `Item ${index}: has no "history" field: this input takes the Reward Loop's items with its option Include History on (or choose Items With Messages and a Reward)` };
	if (!Array.isArray(history)) return { items: [index], message: `Item ${index}: "history" is not a list of candidates` };
	const entries: HistoryEntry[] = [];
	for (const [position, entry] of history.entries()) {
		const where = `Item ${index}: history[${position}]`;
		if (!isRecord(entry)) return { items: [index], message: `${where} is not a candidate object` };
		if (typeof entry.round !== 'number' || !Number.isInteger(entry.round) || entry.round < 1) return { items: [index], message: `${where}.round: ${JSON.stringify(entry.round)} is not a round number` };
		if (typeof entry.reward !== 'number' || !Number.isFinite(entry.reward)) return { items: [index], message: `${where}.reward: ${JSON.stringify(entry.reward)} is not a number` };
		if (typeof entry.text !== 'string') return { items: [index], message: `${where}.text: ${JSON.stringify(entry.text)} is not text` };
		entries.push({
			round: entry.round,
			index: typeof entry.index === 'number' ? entry.index : position,
			text: entry.text,
			reward: entry.reward,
			...(typeof entry.error === 'string' ? { error: entry.error } : {}),
			...(typeof entry.refusal === 'string' ? { refusal: entry.refusal } : {}),
		});
	}
	return entries;
}

/** The loop's rule: a later candidate replaces the best only with a strictly higher reward; errors and refusals never are the best. */
function bestOf(entries: HistoryEntry[]): HistoryEntry | undefined {
	let best: HistoryEntry | undefined;
	for (const entry of entries) if (entry.error === undefined && entry.refusal === undefined && (!best || entry.reward > best.reward)) best = entry;
	return best;
}

/**
 * One group per item and round. `prompts[i]` is item i's prompt messages as the loop was given them
 * (or the problem reading them).
 */
export function groupsFromRewardLoop(items: Array<Record<string, unknown>>, prompts: Array<ChatMessage[] | string>): Grouped {
	const result: Grouped = { groups: [], problems: [] };
	items.forEach((json, index) => {
		const prompt = prompts[index];
		if (typeof prompt === 'string') {
			result.problems.push({ items: [index], message: `Item ${index}: ${prompt}` });
			return;
		}
		const history = historyOf(json, index);
		if (!Array.isArray(history)) {
			result.problems.push(history);
			return;
		}
		if (history.length === 0) {
			result.problems.push({ items: [index], message: `Item ${index}: "history" is empty: the Reward Loop tried no candidate on this item` });
			return;
		}
		const feedback = Array.isArray(json.feedback) ? json.feedback : [];
		const rounds = [...new Set(history.map((entry) => entry.round))].sort((a, b) => a - b);
		for (const round of rounds) {
			let messages = prompt;
			if (round > 1) {
				const best = bestOf(history.filter((entry) => entry.round < round));
				const advice = feedback[round - 2];
				if (!best || typeof advice !== 'string') {
					result.problems.push({ items: [index], message: `Item ${index}: round ${round}'s prompt cannot be rebuilt (no best answer before it, or no "feedback[${round - 2}]")` });
					continue;
				}
				messages = [...prompt, { role: 'assistant', content: best.text }, { role: 'user', content: advice }];
			}
			const trajectories: Trajectory[] = history
				.filter((entry) => entry.round === round && entry.error === undefined)
				.map((entry) => ({ messages: [...messages, { role: 'assistant', content: entry.refusal ?? entry.text }], reward: entry.reward }));
			result.groups.push({ label: `item ${index}, round ${round}`, items: [index], trajectories });
		}
	});
	return result;
}

export interface MessageFields {
	messagesField: string;
	rewardField: string;
	groupField: string;
}

function field(json: unknown, path: string): unknown {
	const found = lookupPath(json, parseFieldPath(path));
	return found === MISSING ? undefined : found;
}

/** Items with a conversation (ending in the rewarded assistant answer) and a reward, grouped by a field's value. */
export function groupsFromMessages(items: Array<Record<string, unknown>>, fields: MessageFields): Grouped {
	const result: Grouped = { groups: [], problems: [] };
	const byKey = new Map<string, TrajectoryGroup>();
	for (const path of [fields.messagesField, fields.rewardField, fields.groupField]) parseFieldPath(path);
	items.forEach((json, index) => {
		const key = field(json, fields.groupField);
		if (key === undefined || key === null || key === '') {
			result.problems.push({ items: [index], message: `Item ${index}: the group field "${fields.groupField}" is missing or empty` });
			return;
		}
		const rawReward = field(json, fields.rewardField);
		const reward = typeof rawReward === 'string' && rawReward.trim() !== '' ? Number(rawReward) : rawReward;
		if (typeof reward !== 'number' || !Number.isFinite(reward)) {
			result.problems.push({ items: [index], message: `Item ${index}: the reward field "${fields.rewardField}" is ${rawReward === undefined ? 'missing' : JSON.stringify(rawReward)}, not a number` });
			return;
		}
		const parsed = safeParseMessageList(field(json, fields.messagesField), `the messages field "${fields.messagesField}"`);
		if (!parsed.ok) {
			result.problems.push({ items: [index], message: `Item ${index}: ${parsed.problem}` });
			return;
		}
		if (parsed.messages[parsed.messages.length - 1].role !== 'assistant') {
			result.problems.push({ items: [index], message: `Item ${index}: the messages field "${fields.messagesField}" must end with the assistant's answer that was rewarded (its last message is "${parsed.messages[parsed.messages.length - 1].role}")` });
			return;
		}
		const label = typeof key === 'string' ? key : JSON.stringify(key);
		let group = byKey.get(label);
		if (!group) {
			group = { label: `group ${JSON.stringify(label)}`, items: [], trajectories: [] };
			byKey.set(label, group);
			result.groups.push(group);
		}
		group.items.push(index);
		group.trajectories.push({ messages: parsed.messages, reward });
	});
	return result;
}

export interface CheckedGroups extends Grouped {
	/** Groups left out because all their rewards were equal. */
	skipped: Array<{ label: string; items: number[]; reward: number }>;
}

const itemList = (items: number[]) => (items.length === 1 ? `Item ${items[0]}` : `Items ${items.join(', ')}`);

/** What GRPO needs of each group: two trajectories or more, and rewards that differ. */
export function checkGroups(grouped: Grouped, equalRewards: 'skip' | 'fail'): CheckedGroups {
	const checked: CheckedGroups = { groups: [], problems: [...grouped.problems], skipped: [] };
	for (const group of grouped.groups) {
		if (group.trajectories.length < 2) {
			checked.problems.push({
				items: group.items,
				message: `${itemList(group.items)}: ${group.label} has ${group.trajectories.length} usable trajectory; GRPO compares the trajectories of a group, so each needs at least 2 (more candidates per round, or more items with this group value)`,
			});
			continue;
		}
		const rewards = group.trajectories.map((t) => t.reward);
		if (rewards.every((reward) => reward === rewards[0])) {
			if (equalRewards === 'fail') {
				checked.problems.push({ items: group.items, message: `${itemList(group.items)}: every reward of ${group.label} is ${rewards[0]}; GRPO learns from the differences within a group, so it would teach nothing` });
			} else checked.skipped.push({ label: group.label, items: group.items, reward: rewards[0] });
			continue;
		}
		checked.groups.push(group);
	}
	return checked;
}
