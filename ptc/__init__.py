"""ptc: Amazon ECR pull-through cache rules as code.

The layers, top to bottom; an import goes down only (`lint-imports` enforces it):

    ptc.cli                              commands; the only typer code
    ptc.render                           every view of plans, reports, status, findings
    ptc.engine | ptc.aws | ptc.sandbox   executor and apply | botocore | moto
    ptc.terraform                        migration from Terraform state
    ptc.status | ptc.export | ptc.iam_policy
    ptc.plan | ptc.checks | ptc.rewrite  desired vs live -> Plan; findings; rewriting
    ptc.config                           the rules file
    ptc.domain                           ECR's rules, ARNs, resources, policy statements

ptc.errors and ptc.files are shared by all. Nothing here is imported eagerly: `ptc --help`
and `ptc validate` start without botocore.
"""

__version__ = "0.2.0"
