/**
 * Realistic supervised fine-tuning items for the benchmark (not only short rows): multi-turn
 * conversations with system or developer messages, weights, emoji and ZWJ sequences, CJK, RTL
 * text, combining marks, line and paragraph separators, U+FEFF, some 20,000-character messages
 * and planted exact duplicates. Deterministic: the same count gives the same items.
 */
import { mulberry32 } from '../core/random';


const ENGLISH = [
	'The battery lasts about twenty hours on a single charge.',
	"It doesn't overheat, even on long trips in summer.",
	'Charging is fast: 80% in 30 minutes, with the supplied 65 W adapter!',
	'Could you check order #48213 and tell me when it ships?',
	'Here is the function, rewritten to avoid the extra allocation:',
	'Step 1: open Settings. Step 2: choose Network. Step 3: reset the adapter.',
	"I'd like a refund for the damaged item; the box was crushed.",
	'The invoice total is $1,249.50 including VAT at 20%.',
	'Sure — here are three options, from cheapest to fastest.',
	'Please summarise the meeting notes in five bullet points.',
];
const OTHER = [
	'電池は一日中持ちます。画面は直射日光の下でも明るいです。',
	'这款手机的电池续航很长，充电也很快，屏幕在阳光下依然清晰。',
	'배터리가 하루 종일 지속되고 충전도 빠릅니다.',
	'البطارية تدوم طوال اليوم والشاشة واضحة في ضوء الشمس.',
	'הסוללה מחזיקה יום שלם והמסך בהיר גם בשמש.',
	'Ça marche très bien, merci ! Die Qualität ist großartig.',
	'Z\u0351a\u0352l\u0353g\u0354o text with combining marks: e\u0301 n\u0303 a\u0308.',
	'Emoji: 👍🏽 🎉 👨‍👩‍👧‍👦 🏳️‍🌈 🇯🇵 ❤️ and 🧑🏿‍💻 at work.',
	'First line\u2028second line\u2029next paragraph.',
	'\ufeffA pasted line that kept its byte-order mark.',
	'Mixed RTL: order \u202bשלום 123\u202c shipped; العربية English.',
];
const CODE = 'function total(items) {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n';

function paragraph(next: () => number, sentences: number): string {
	const parts: string[] = [];
	for (let i = 0; i < sentences; i++) {
		const roll = next();
		if (roll < 0.62) parts.push(ENGLISH[Math.floor(next() * ENGLISH.length)]);
		else if (roll < 0.95) parts.push(OTHER[Math.floor(next() * OTHER.length)]);
		else parts.push(`\n\`\`\`js\n${CODE}\`\`\`\n`);
	}
	return parts.join(next() < 0.2 ? '\n\n' : ' ');
}

/** A message of about 20,000 characters: a long document pasted in, or a long answer. */
function longText(next: () => number): string {
	const parts: string[] = [];
	let length = 0;
	while (length < 20_000) {
		const part = paragraph(next, 6);
		parts.push(part);
		length += part.length + 2;
	}
	return parts.join('\n\n').slice(0, 20_000);
}

export interface RealisticMessage {
	role: 'system' | 'developer' | 'user' | 'assistant';
	content: string;
	weight?: 0 | 1;
}

/** One conversation, from its index (deterministic). */
function conversation(index: number): { messages: RealisticMessage[] } {
	const next = mulberry32(index * 2654435761);
	const messages: RealisticMessage[] = [];
	const lead = next();
	if (lead < 0.75) messages.push({ role: 'system', content: `You are the support assistant of shop ${index % 97}. ${paragraph(next, 2)}` });
	else if (lead < 0.9) messages.push({ role: 'developer', content: `Answer in the customer's language. Case ${index}. ${paragraph(next, 1)}` });
	const turns = 1 + Math.floor(next() * 3);
	const long = next() < 0.002 ? Math.floor(next() * turns * 2) : -1;
	for (let turn = 0; turn < turns; turn++) {
		const last = turn === turns - 1;
		const user = 2 * turn === long ? longText(next) : `${paragraph(next, 2 + Math.floor(next() * 4))} (ticket ${index}-${turn})`;
		const answer = 2 * turn + 1 === long ? longText(next) : paragraph(next, 4 + Math.floor(next() * 7));
		messages.push({ role: 'user', content: user });
		const assistant: RealisticMessage = { role: 'assistant', content: answer };
		// Earlier turns are sometimes not trained on; the last one always is.
		if (!last && next() < 0.3) assistant.weight = 0;
		else if (next() < 0.3) assistant.weight = 1;
		messages.push(assistant);
	}
	return { messages };
}

/** Every 100th item repeats an earlier one exactly (a planted duplicate). */
export const DUPLICATE_EVERY = 100;

/** `count` items with a `messages` field, as Build Dataset reads them by default. */
export function* realisticItems(count: number): Generator<{ messages: RealisticMessage[] }> {
	for (let i = 0; i < count; i++) {
		yield i > 0 && i % DUPLICATE_EVERY === 0 ? conversation(i - 1 - (i % 37)) : conversation(i);
	}
}

/** The number of planted duplicates among `count` items. */
export function plantedDuplicates(count: number): number {
	return Math.floor((count - 1) / DUPLICATE_EVERY);
}
