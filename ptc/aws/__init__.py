"""Everything that imports boto3 or botocore lives in this package."""
