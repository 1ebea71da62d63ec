/**
 * The test server's W&B Serverless RL side (W&B Training API), as its reference describes it:
 *  - POST /preview/models (ModelCreate → ModelResponse; return_existing gives back the model of that name)
 *    https://docs.wandb.ai/serverless-training/api-reference/models/create-model
 *  - POST /preview/training-jobs (CreateTrainingJob → TrainingJobResponse {id}); 422 in FastAPI's
 *    HTTPValidationError shape ({detail: [{loc, msg, type}]}) for a body that breaks the schema
 *    https://docs.wandb.ai/serverless-training/api-reference/training-jobs/create-rl-training-job
 *  - GET /preview/training-jobs/{id} and /events?after=&limit= (cursor pages {data, has_more}); the
 *    job advances one event every `stepMs`: training_started {num_sequences}, one gradient_step per
 *    group, then training_ended (a checkpoint step+1 appears) or training_failed {error_message}
 *    https://docs.wandb.ai/serverless-training/api-reference/training-jobs/get-training-job-events
 *  - GET /preview/models/{id}/checkpoints?order=&limit=&after=
 *    https://docs.wandb.ai/serverless-training/api-reference/models/list-model-checkpoints
 * Every training job's trajectory groups are kept, for tests to assert what was sent.
 *
 * Chat completions for a W&B training base model (OpenPipe/Qwen3-14B-Instruct, Qwen/Qwen3-30B-A3B-Instruct-2507) or a checkpoint
 * (`wandb-artifact:///<entity>/<project>/<name>:step<N>`) answer as a policy that improves with
 * training, deterministically: of n candidates, min(n - 1, 1 + N) start "Correct:" and the rest
 * "Unsure:", so a Contains "Correct" scorer's mean reward rises step by step while every group keeps
 * a reward that differs. A checkpoint that does not exist gets the 404 W&B gives for an unknown model.
 */
import { randomUUID } from 'node:crypto';
import type { Reply } from './fineTuning';

export interface OnlineRlOptions {
	/** Time between two events of a training job. */
	stepMs?: number;
	/** How a job ends (default succeeded). */
	outcome?: 'succeeded' | 'failed';
	/** The entity a model gets when the request names none (the key's own). */
	defaultEntity?: string;
}

interface RlModel {
	id: string;
	entity: string;
	project: string;
	name: string;
	base_model: string;
	run_id: string;
	checkpoints: Array<{ id: string; step: number; metrics: Record<string, number> }>;
}

interface RlJob {
	id: string;
	model_id: string;
	created: number;
	trajectory_groups: unknown[];
	experimental_config: unknown;
	events: Array<{ id: string; type: string; data: Record<string, unknown> }>;
	/** Events the job will have, released one per stepMs. */
	plan: Array<{ type: string; data: Record<string, unknown> }>;
	status: 'QUEUED' | 'RUNNING' | 'COMPLETED' | 'FAILED';
}

/** The foundation models W&B Serverless RL trains (https://docs.wandb.ai/training/serverless-rl/available-models). */
const WANDB_BASE_MODELS = new Set(['OpenPipe/Qwen3-14B-Instruct', 'Qwen/Qwen3-30B-A3B-Instruct-2507']);

const json = (status: number, body: unknown): Reply => ({ status, body });
const validation = (loc: Array<string | number>, msg: string): Reply => json(422, { detail: [{ loc, msg, type: 'value_error' }] });
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export class OnlineRlSimulator {
	private options: OnlineRlOptions = {};
	readonly models = new Map<string, RlModel>();
	readonly jobs = new Map<string, RlJob>();
	/** Every training job's body as received, in order. */
	readonly received: Array<{ model_id: string; trajectory_groups: unknown[]; experimental_config: unknown }> = [];

	configure(options: OnlineRlOptions): void {
		this.options = options;
	}

	/** Forgets every model, job and received body (a test's fresh start). */
	clear(): void {
		this.models.clear();
		this.jobs.clear();
		this.received.length = 0;
	}

	/** The model's checkpoint model names, oldest first. */
	checkpointNames(): string[] {
		return [...this.models.values()].flatMap((model) => model.checkpoints.map((c) => `wandb-artifact:///${model.entity}/${model.project}/${model.name}:step${c.step}`));
	}

	/** Releases the events whose time has come; the last one ends the job. */
	private advance(job: RlJob): void {
		const stepMs = this.options.stepMs ?? 20;
		const due = Math.min(job.plan.length, Math.floor((Date.now() - job.created) / stepMs));
		while (job.events.length < due) {
			const next = job.plan[job.events.length];
			job.events.push({ id: `evt-${job.id.slice(0, 8)}-${job.events.length + 1}`, ...next });
			job.status = 'RUNNING';
			if (next.type === 'training_ended') {
				job.status = 'COMPLETED';
				const model = this.models.get(job.model_id)!;
				const step = (model.checkpoints[model.checkpoints.length - 1]?.step ?? 0) + 1;
				model.checkpoints.push({ id: randomUUID(), step, metrics: { reward: Number(next.data.reward ?? 0) } });
			}
			if (next.type === 'training_failed') job.status = 'FAILED';
		}
	}

	handle(method: string, path: string, query: URLSearchParams, body: unknown): Reply | undefined {
		if (!path.startsWith('/preview/')) return undefined;
		if (method === 'POST' && path === '/preview/models') return this.createModel(body);
		if (method === 'POST' && path === '/preview/training-jobs') return this.createJob(body);
		let match = /^\/preview\/training-jobs\/([^/]+)(\/events)?$/.exec(path);
		if (method === 'GET' && match) {
			const job = this.jobs.get(decodeURIComponent(match[1]));
			if (!job) return json(404, { detail: 'Training job not found' });
			this.advance(job);
			if (!match[2]) return json(200, { id: job.id, model_id: job.model_id, status: job.status, error_message: job.status === 'FAILED' ? job.events[job.events.length - 1].data.error_message : null });
			const limit = query.has('limit') ? Number(query.get('limit')) : 20;
			if (!Number.isInteger(limit) || limit < 1 || limit > 100) return validation(['query', 'limit'], 'Input should be between 1 and 100');
			const after = query.get('after');
			const start = after ? job.events.findIndex((event) => event.id === after) + 1 : 0;
			const data = job.events.slice(start, start + limit);
			return json(200, { object: 'list', data, has_more: start + limit < job.events.length });
		}
		match = /^\/preview\/models\/([^/]+)\/checkpoints$/.exec(path);
		if (method === 'GET' && match) {
			const model = this.models.get(decodeURIComponent(match[1]));
			if (!model) return json(404, { detail: 'Model not found' });
			const order = query.get('order') ?? 'asc';
			if (order !== 'asc' && order !== 'desc') return validation(['query', 'order'], "Input should be 'asc' or 'desc'");
			const limit = query.has('limit') ? Number(query.get('limit')) : 20;
			if (!Number.isInteger(limit) || limit < 1 || limit > 100) return validation(['query', 'limit'], 'Input should be between 1 and 100');
			const all = order === 'asc' ? model.checkpoints : [...model.checkpoints].reverse();
			const after = query.get('after');
			const start = after ? all.findIndex((c) => c.id === after) + 1 : 0;
			return json(200, { object: 'list', data: all.slice(start, start + limit), has_more: start + limit < all.length });
		}
		return json(404, { detail: 'Not Found' });
	}

	private createModel(body: unknown): Reply {
		if (!isRecord(body)) return validation(['body'], 'Field required');
		for (const key of ['project', 'name', 'base_model'] as const) {
			if (typeof body[key] !== 'string' || !body[key]) return validation(['body', key], 'Field required');
		}
		const entity = typeof body.entity === 'string' && body.entity ? body.entity : (this.options.defaultEntity ?? 'mock-entity');
		const existing = [...this.models.values()].find((m) => m.entity === entity && m.project === body.project && m.name === body.name);
		if (existing) {
			if (body.return_existing !== true) return json(409, { detail: `Model ${body.name} already exists` });
			return json(200, this.modelResponse(existing));
		}
		const model: RlModel = { id: randomUUID(), entity, project: String(body.project), name: String(body.name), base_model: String(body.base_model), run_id: randomUUID().slice(0, 8), checkpoints: [] };
		this.models.set(model.id, model);
		return json(200, this.modelResponse(model));
	}

	private modelResponse(model: RlModel) {
		return { id: model.id, entity: model.entity, project: model.project, name: model.name, base_model: model.base_model, run_id: model.run_id };
	}

	/** CreateTrainingJob's schema, as far as the adapter uses it; a problem is FastAPI's 422. */
	private createJob(body: unknown): Reply {
		if (!isRecord(body)) return validation(['body'], 'Field required');
		if (typeof body.model_id !== 'string' || !this.models.has(body.model_id)) return typeof body.model_id === 'string' ? json(404, { detail: 'Model not found' }) : validation(['body', 'model_id'], 'Field required');
		if (!Array.isArray(body.trajectory_groups) || body.trajectory_groups.length === 0) return validation(['body', 'trajectory_groups'], 'List should have at least 1 item');
		for (const [g, group] of body.trajectory_groups.entries()) {
			if (!isRecord(group) || !Array.isArray(group.trajectories)) return validation(['body', 'trajectory_groups', g, 'trajectories'], 'Field required');
			for (const [t, trajectory] of group.trajectories.entries()) {
				const where = ['body', 'trajectory_groups', g, 'trajectories', t];
				if (!isRecord(trajectory) || !Array.isArray(trajectory.messages_and_choices)) return validation([...where, 'messages_and_choices'], 'Field required');
				if (typeof trajectory.reward !== 'number' || !Number.isFinite(trajectory.reward)) return validation([...where, 'reward'], 'Input should be a valid number');
				for (const [m, message] of trajectory.messages_and_choices.entries()) {
					if (!isRecord(message) || typeof message.role !== 'string') return validation([...where, 'messages_and_choices', m, 'role'], 'Field required');
				}
			}
		}
		if (body.experimental_config !== undefined && body.experimental_config !== null && !isRecord(body.experimental_config)) return validation(['body', 'experimental_config'], 'Input should be a valid dictionary');
		const job: RlJob = {
			id: randomUUID(),
			model_id: body.model_id,
			created: Date.now(),
			trajectory_groups: body.trajectory_groups,
			experimental_config: body.experimental_config,
			events: [],
			plan: [],
			status: 'QUEUED',
		};
		const rewards = body.trajectory_groups.flatMap((group) => ((group as { trajectories: Array<{ reward: number }> }).trajectories).map((t) => t.reward));
		const mean = rewards.reduce((sum, r) => sum + r, 0) / rewards.length;
		job.plan.push({ type: 'training_started', data: { num_sequences: body.trajectory_groups.length } });
		body.trajectory_groups.forEach((_group, index) => job.plan.push({ type: 'gradient_step', data: { loss: 0.5 / (index + 1), reward: mean } }));
		job.plan.push(this.options.outcome === 'failed' ? { type: 'training_failed', data: { error_message: 'CUDA out of memory (injected)' } } : { type: 'training_ended', data: { reward: mean } });
		this.jobs.set(job.id, job);
		this.received.push({ model_id: job.model_id, trajectory_groups: job.trajectory_groups, experimental_config: job.experimental_config });
		return json(200, { id: job.id });
	}

	/**
	 * The policy's answer for a W&B model: undefined for any other model (the server's default answers),
	 * a 404 reply for a checkpoint that does not exist.
	 */
	answer(model: string, n: number, lastUserText: string): { choices: Array<{ content: string }> } | { notFound: string } | undefined {
		let step: number;
		if (WANDB_BASE_MODELS.has(model)) step = 0;
		else {
			const match = /^wandb-artifact:\/\/\/([^/]+)\/([^/]+)\/([^:]+):step(\d+)$/.exec(model);
			if (!match) return undefined;
			step = Number(match[4]);
			if (!this.checkpointNames().includes(model)) return { notFound: `The model ${model} does not exist` };
		}
		const good = Math.max(1, Math.min(n - 1, 1 + step));
		return {
			choices: Array.from({ length: n }, (_, i) => ({ content: `${i < good ? 'Correct' : 'Unsure'}: ${lastUserText} (step ${step}, #${i + 1})` })),
		};
	}
}
