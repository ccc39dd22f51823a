"""Identity rules, without Cognito: roles come from groups, administrators need MFA."""
