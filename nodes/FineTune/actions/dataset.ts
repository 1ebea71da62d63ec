import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { buildDataset, type BuiltDataset, type DatasetKind } from '../../../core/finetune/buildDataset';
import type { TrainingFormat } from '../../../core/finetune/formats';
import { readJsonlLines, releaseJsonlFile } from '../../../core/finetune/jsonl';
import type { TogetherProvider } from '../../../core/finetune/providers/together';
import { validateTrainingFile } from '../../../core/finetune/validate';
import { ParameterError } from '../../shared/transportOptions';

const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value.trim() : undefined);

/** All items into one training file (and a validation file), as binary data on one output item. */
export async function runBuildDataset(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const kind = ctx.getNodeParameter('kind', 0) as DatasetKind;
	const format = ctx.getNodeParameter('format', 0) as TrainingFormat;
	const fields = ctx.getNodeParameter('datasetFields', 0, {}) as IDataObject;
	const options = ctx.getNodeParameter('datasetOptions', 0, {}) as IDataObject;
	const continueOnFail = ctx.continueOnFail();
	// The files are let go once n8n has them: in memory mode n8n keeps a base64 copy of each, and
	// the training file's Buffer need not be held beside its copy while the next one is made.
	const { counts, problems, ...files }: Omit<BuiltDataset, 'train' | 'validation'> & { train?: Buffer; validation?: Buffer } = buildDataset(
		items.map((item) => item.json),
		{
			kind,
			format,
			supervised: { messagesField: text(fields.messagesField), promptField: text(fields.promptField), responseField: text(fields.responseField), systemMessage: text(fields.systemMessage), weightField: text(fields.weightField), toolsField: text(fields.toolsField) },
			preference: { promptField: text(fields.promptField), chosenField: text(fields.chosenField), rejectedField: text(fields.rejectedField), pairsField: text(fields.pairsField), systemMessage: text(fields.systemMessage) },
			reinforcement: {
				messagesField: text(fields.messagesField),
				promptField: text(fields.promptField),
				systemMessage: text(fields.systemMessage),
				referenceFields: String(fields.referenceFields ?? '').split(',').map((f) => f.trim()).filter(Boolean),
			},
			dedupe: options.dedupe !== false,
			validationFraction: Number(options.validationFraction ?? 0),
			seed: Number(options.seed ?? 42),
		},
		(problem) => {
			if (!continueOnFail) throw new NodeOperationError(ctx.getNode(), `Item ${problem.item}: ${problem.message}`, { itemIndex: problem.item });
		},
	);
	const fileName = text(options.fileName) ?? 'training.jsonl';
	// Each file's memory is given back as soon as n8n has it (its base64 copy in memory mode, its
	// stored file otherwise), the small validation file first, so that the training file's bytes
	// and its base64 text are the only copies of it held at once.
	const validation = files.validation ? await ctx.helpers.prepareBinaryData(files.validation, fileName.replace(/(\.jsonl)?$/, '.validation.jsonl'), 'application/jsonl') : undefined;
	releaseJsonlFile(files.validation);
	files.validation = undefined;
	const binary: INodeExecutionData['binary'] = { data: await ctx.helpers.prepareBinaryData(files.train ?? Buffer.alloc(0), fileName, 'application/jsonl') };
	releaseJsonlFile(files.train);
	files.train = undefined;
	if (validation) binary.validation = validation;
	return [
		{
			json: { kind, format, fileName, ...counts, problems: problems.map((p) => `Item ${p.item}: ${p.message}`) },
			binary,
			pairedItem: items.map((_, item) => ({ item })),
		},
	];
}

/** Base64 as n8n writes it (no line breaks), which can be cut anywhere at a multiple of 4. */
const PLAIN_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Slices of 32 KiB of base64 text (a multiple of 4 characters, so each decodes on its own): 24 KiB
 * of bytes, whose text stays below V8's large-object size and dies young. Slices of 4 MiB made
 * 6 MB strings, each allocated straight into the old generation and kept until a full collection:
 * the heap grew and fell by about 200 MB all through Validate.
 */
function* base64Slices(data: string): Generator<Buffer> {
	const SLICE = 32 * 1024;
	for (let start = 0; start < data.length; start += SLICE) yield Buffer.from(data.slice(start, start + SLICE), 'base64');
}

/**
 * A validation report for each input item's training file. With provider Together AI and a Together
 * Training File ID, the estimate also carries Together's own (its estimate-price route, for that
 * uploaded file); otherwise the cost is the tokens counted here × epochs × the price given.
 */
export async function runValidate(ctx: IExecuteFunctions, index: number, together?: () => Promise<TogetherProvider>): Promise<INodeExecutionData[]> {
	const property = String(ctx.getNodeParameter('binaryProperty', index, 'data'));
	const binary = ctx.helpers.assertBinaryData(index, property);
	// Stored binary data (filesystem or S3 mode) is read as a stream; in memory mode the file is the
	// item's base64 text, decoded a slice at a time rather than into a second copy of the whole file.
	const content = binary.id
		? await ctx.helpers.getBinaryStream(binary.id)
		: PLAIN_BASE64.test(binary.data)
			? base64Slices(binary.data)
			: await ctx.helpers.getBinaryDataBuffer(index, property);
	const options = ctx.getNodeParameter('validateOptions', index, {}) as IDataObject;
	const epochs = options.epochs === undefined || options.epochs === 'auto' || options.epochs === '' ? 'auto' : Number(options.epochs);
	const price = Number(options.pricePerMillionTokens ?? 0);
	const report = await validateTrainingFile(readJsonlLines(content), {
		kind: (options.kind as 'auto' | 'supervised' | 'preference' | 'reinforcement' | undefined) ?? 'auto',
		model: text(options.model) ?? 'gpt-4.1-mini',
		maxTokensPerExample: options.maxTokensPerExample === undefined ? undefined : Number(options.maxTokensPerExample),
		epochs,
		pricePerMillionTokens: price > 0 ? price : undefined,
	});
	const togetherFile = text(options.togetherFileId);
	let togetherEstimate: IDataObject | undefined;
	if (togetherFile) {
		if (!together) throw new ParameterError('Together Training File ID', 'asks Together AI for its estimate: set Provider to Together AI');
		const provider = await together();
		const estimate = await provider.estimatePrice(
			{
				model: text(options.togetherModel) ?? '',
				trainingFile: togetherFile,
				method: report.kind === 'preference' ? 'dpo' : report.kind === 'reinforcement' ? 'reinforcement' : 'supervised',
				hyperparameters: { nEpochs: epochs === 'auto' ? undefined : epochs },
			},
			ctx.getExecutionCancelSignal(),
		);
		togetherEstimate = { ...estimate };
	}
	const estimate: IDataObject = {
		...(report.estimate as unknown as IDataObject),
		// Where `cost` comes from: the price given here (per million trained tokens), or nowhere.
		costFrom: report.estimate.cost === null ? null : 'pricePerMillionTokens × trainedTokens (counted here)',
		...(togetherEstimate ? { together: togetherEstimate } : {}),
	};
	return [{ json: { ...(report as unknown as IDataObject), estimate }, pairedItem: { item: index } }];
}
