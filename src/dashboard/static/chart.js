// Records per second over a job's life, drawn with uPlot (loaded before this module as a global).
// The API gives the average rate only, so the curve comes from the processed count at each event:
// rate between two samples = records processed between them / seconds between them. Samples are
// kept per job in sessionStorage, so a reload keeps the curve; a job that had ended before the page
// opened shows its average over its whole run.
import { ENDED, number } from "./api.js";

const MIN_SECONDS = 0.2;

export class RateChart {
	constructor(element, caption, jobId) {
		this.element = element;
		this.caption = caption;
		this.key = `cohort.rate.${jobId}`;
		this.samples = JSON.parse(sessionStorage.getItem(this.key) ?? "[]");
		this.plot = null;
	}

	add(job) {
		if (!job.startedAt) return;
		const ended = ENDED.includes(job.status) && job.completedAt;
		if (this.samples.length === 0) this.samples.push({ t: Date.parse(job.startedAt) / 1000, processed: 0 });
		const last = this.samples[this.samples.length - 1];
		if (last.ended || (job.counts.processed === last.processed && !ended)) return;
		// A job's end is its server time; samples while it runs are when the browser heard of them.
		const t = ended ? Math.max(Date.parse(job.completedAt) / 1000, last.t + 0.001) : Date.now() / 1000;
		const sample = { t, processed: job.counts.processed, ended: Boolean(ended) };
		if (t - last.t < MIN_SECONDS && this.samples.length > 1 && !ended) Object.assign(last, sample);
		else this.samples.push(sample);
		sessionStorage.setItem(this.key, JSON.stringify(this.samples));
		this.draw();
	}

	/** x: sample times; y: the rate of the interval ending at each time (drawn as steps). */
	series() {
		const xs = this.samples.map((s) => s.t);
		const rates = this.samples
			.slice(1)
			.map((s, i) => (s.processed - this.samples[i].processed) / (s.t - this.samples[i].t));
		return [xs, [rates[0] ?? 0, ...rates].map((r) => Math.round(r))];
	}

	describe(rates) {
		const peak = Math.max(...rates);
		const latest = rates[rates.length - 1];
		const text = `Latest ${number(latest)} records/s, peak ${number(peak)} records/s.`;
		this.element.setAttribute("aria-label", `Records per second over the job's life. ${text}`);
		this.caption.textContent = text;
	}

	draw() {
		if (this.samples.length < 2) return;
		const data = this.series();
		this.describe(data[1]);
		const uPlot = globalThis.uPlot;
		if (!uPlot) return;
		if (this.plot) {
			this.plot.setData(data);
			return;
		}
		const width = () => Math.max(280, this.element.clientWidth);
		this.plot = new uPlot(
			{
				width: width(),
				height: 220,
				legend: { show: false },
				scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(10, max * 1.1)] } },
				axes: [{ stroke: "#3d4451" }, { stroke: "#3d4451", size: 60 }],
				series: [
					{},
					{
						label: "records/s",
						stroke: "#0b57d0",
						fill: "rgba(11, 87, 208, 0.12)",
						width: 2,
						paths: uPlot.paths.stepped({ align: 1 }),
					},
				],
			},
			data,
			this.element,
		);
		new ResizeObserver(() => this.plot.setSize({ width: width(), height: 220 })).observe(this.element);
	}
}
