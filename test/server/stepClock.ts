/**
 * A simulator's clock: once started, it calls `tick` every step (the simulator's `stepMs`, read when the
 * clock starts) without keeping the process alive. Lifecycles advance one state per step.
 */
export class StepClock {
	private timer: NodeJS.Timeout | undefined;

	constructor(
		private readonly tick: () => void,
		private readonly stepMs: () => number,
	) {}

	/** Starts the clock unless it runs already. */
	start(): void {
		if (this.timer) return;
		this.timer = setInterval(this.tick, this.stepMs());
		this.timer.unref();
	}

	stop(): void {
		if (this.timer) clearInterval(this.timer);
		this.timer = undefined;
	}

	/** A running clock keeps the speed it started at: restart it at the current one. A stopped clock stays stopped. */
	restart(): void {
		if (!this.timer) return;
		this.stop();
		this.start();
	}
}
