"""`ptc import-terraform`: take over what Terraform manages, and tell Terraform to forget it."""
