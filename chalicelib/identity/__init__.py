"""Identity: who the caller is (Cognito tokens), their role and organisation."""
