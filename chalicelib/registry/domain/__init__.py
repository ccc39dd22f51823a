"""Pure registry rules: nothing here imports boto3 or PynamoDB."""
