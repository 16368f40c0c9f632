/**
 * A service changes while a person has a draft offline. The draft was started on
 * version 1; meanwhile the office publishes version 2 and retires version 1. When the
 * device next reaches the server it learns of it, and the draft moves to version 2 by the
 * definition's migration rules: every answer that carries is kept, and the person is
 * asked only for what is new. An application already queued on version 1 is refused
 * with that way out, and arrives on version 2 the same way.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { todayInKazakhstan } from '../../shared/dates';
import { SERVICES } from '../../shared/services/catalog';
import { specOf } from '../../shared/services/definition-schema';
import {
	individualEntrepreneur,
	individualEntrepreneurV2
} from '../../shared/services/individual-entrepreneur';
import { openDatabase } from '../../sync-server/db/open';
import { applications } from '../../sync-server/db/schema';
import {
	launchBrowser,
	openControlled,
	startServer,
	type Browser,
	type RunningServer
} from './harness';
import { personIin, signIn } from './fill';
import { fillStep } from './walk';

let server: RunningServer;
let browser: Browser;
let dir: string;

const others = SERVICES.filter((s) => s.id !== individualEntrepreneur.id).map(specOf);
/** Before: version 1 is the one offered. After: version 2 is, and version 1 is retired. */
const BEFORE = [...others, specOf(individualEntrepreneur)];
const AFTER = [
	...others,
	{ ...specOf(individualEntrepreneur), supported: false },
	specOf(individualEntrepreneurV2)
];

async function publish(catalogue: unknown[]): Promise<void> {
	const file = join(dir, `services-${Date.now()}.json`);
	await writeFile(file, JSON.stringify(catalogue));
	const restart = server ? { port: server.port, dataDir: server.dataDir } : {};
	await server?.stop();
	server = await startServer({ ...restart, env: { DALA_SERVICES: file } });
}

beforeAll(async () => {
	dir = await mkdtemp(join(tmpdir(), 'dala-versions-e2e-'));
	await publish(BEFORE);
	browser = await launchBrowser();
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await rm(dir, { recursive: true, force: true });
	if (server) await rm(server.dataDir, { recursive: true, force: true });
});

/** What the central database holds, once the server has stopped. */
async function storedApplications() {
	await server.stop();
	const database = await openDatabase({ dataDir: server.dataDir });
	try {
		return await database.db
			.select({ serviceVersion: applications.serviceVersion, answers: applications.answers })
			.from(applications);
	} finally {
		await database.close();
	}
}

const V1_ANSWERS = {
	iin: '061211600012',
	fullName: 'Сейтқали Айгүл Нұрланқызы',
	phone: '+7 701 234 56 78',
	businessName: 'ЖК Сейтқали',
	// A café: no rule registers it, so each stays "received" for this test to see.
	activity: 'catering',
	address: 'Түркістан облысы, Сайрам ауданы, Ақсу ауылы, Абай көшесі 12'
};

describe('a draft made offline on a version retired meanwhile', () => {
	it('moves to the new version, keeps its answers, and asks only what is new', async () => {
		const { page, context } = browser;
		await openControlled(page, server.url);
		// The catalogue the server publishes now offers version 1.
		const card = page
			.getByRole('listitem')
			.filter({ hasText: 'Register as an individual entrepreneur' });
		await expect
			.poll(() => card.getByText('Form version 1').isVisible(), { timeout: 15_000 })
			.toBe(true);

		await context.setOffline(true);
		const startV1 = async () => {
			await page.goto(server.url);
			await card.getByRole('button', { name: /^Start/ }).click();
			await page.getByRole('heading', { name: 'Your application', level: 1 }).waitFor();
			await fillStep(page, individualEntrepreneur.steps[0]!.fields, V1_ANSWERS);
		};
		// One application sent into the queue, and one left as a draft.
		await startV1();
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'Application saved' }).waitFor();
		const queued = page.url();
		await startV1();
		await page.goto(`${server.url}/applications`);
		await page.getByText('Form version 1', { exact: true }).waitFor();

		// Meanwhile the office publishes version 2 and retires version 1.
		await publish(AFTER);
		await page.goto(server.url);
		await context.setOffline(false);
		// Made with no account; signing in is asked for only now that something is to be sent.
		await signIn(page, server, personIin(120), '15');
		await expect
			.poll(() => card.getByText('Form version 2').isVisible(), { timeout: 15_000 })
			.toBe(true);

		await page.goto(`${server.url}/applications`);
		await page.getByText('The form has changed since').waitFor();
		// The draft, not the queued application of the same service.
		await page.locator('a[href^="/drafts/"]').first().click();
		// "About you" carried over whole, so the form opens on the business step.
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();
		expect(await page.getByText(/version 1 is now version 2/).isVisible()).toBe(true);
		// Only the new questions: the business name and activity carried over.
		expect(await page.getByLabel('Business name', { exact: true }).count()).toBe(0);
		expect(await page.getByLabel('Type of activity', { exact: true }).count()).toBe(0);
		await page.getByLabel('Tax regime', { exact: true }).selectOption('simplified');
		await page.getByLabel('Date you start business', { exact: true }).fill(todayInKazakhstan());
		await page.getByRole('button', { name: 'Continue' }).click();

		await page.getByRole('heading', { name: 'Where you work', level: 1 }).waitFor();
		// The region was read out of the old free-text address; street and house are asked.
		expect(await page.getByLabel('Region or city', { exact: true }).count()).toBe(0);
		await page.getByLabel('Town or village', { exact: true }).fill('Ақсу');
		await page.getByLabel('Street', { exact: true }).fill('Абай көшесі');
		await page.getByLabel('House', { exact: true }).fill('12');
		await page.getByRole('button', { name: 'Continue' }).click();

		await page.getByRole('heading', { name: 'Check your answers before sending' }).waitFor();
		expect(await page.getByText('ЖК Сейтқали', { exact: true }).isVisible()).toBe(true);
		expect(await page.getByText('Сейтқали Айгүл Нұрланқызы', { exact: true }).isVisible()).toBe(
			true
		);
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 15_000 });

		// The queued one reached a server that no longer accepts version 1: refused, with
		// the way out, which moves its answers to version 2 the same way.
		await page.goto(queued);
		await page.getByText(/replaced by a newer version/).waitFor({ timeout: 15_000 });
		await page.getByRole('button', { name: 'Correct and send again' }).click();
		await page.getByRole('heading', { name: 'Your business', level: 1 }).waitFor();
		await page.getByLabel('Tax regime', { exact: true }).selectOption('general');
		await page.getByLabel('Date you start business', { exact: true }).fill(todayInKazakhstan());
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByLabel('Town or village', { exact: true }).fill('Ақсу');
		await page.getByLabel('Street', { exact: true }).fill('Абай көшесі');
		await page.getByLabel('House', { exact: true }).fill('14');
		await page.getByRole('button', { name: 'Continue' }).click();
		await page.getByRole('button', { name: 'Accept and send' }).click();
		await page.getByRole('heading', { name: 'Application received' }).waitFor({ timeout: 15_000 });

		const stored = await storedApplications();
		expect(stored.map((a) => a.serviceVersion)).toEqual([2, 2]);
		for (const { answers } of stored) {
			expect(answers).toMatchObject({
				tradeName: 'ЖК Сейтқали',
				'businessAddress.region': 'turkistan'
			});
		}
		expect(stored.map((a) => a.answers.taxRegime).sort()).toEqual(['general', 'simplified']);
	});
});
