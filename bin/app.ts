/**
 * The CDK app: reads the deploy-time settings from context, defines the pipeline stack and
 * checks it against the cdk-nag AWS Solutions rules on every synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError, readPipelineConfig } from '../lib/config/pipeline-config';
import { PipelineStack } from '../lib/pipeline-stack';

const app = new App();

let config;
try {
  config = readPipelineConfig((key) => app.node.tryGetContext(key));
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

new PipelineStack(app, config.stackName, {
  config,
  description: 'totesys ELT: S3 JSON Lines -> star-schema Parquet -> Postgres warehouse',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
