// A self-signed certificate and key for 127.0.0.1/localhost (until 2126), for the local push service in tests and dev.
// Generated once with openssl (EC P-256) and committed, so a fresh machine needs neither openssl nor
// a certificate library.

export const testCertificatePem = `-----BEGIN CERTIFICATE-----
MIIB0TCCAXagAwIBAgIUZFfNbytbEXjHgRix9XP6UyF3EZEwCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwaZmFuZmFyZSBsb2NhbCBwdXNoIHNlcnZpY2UwIBcNMjYxMTI2
MTAwNzI2WhgPMjEyNjExMDIxMDA3MjZaMCUxIzAhBgNVBAMMGmZhbmZhcmUgbG9j
YWwgcHVzaCBzZXJ2aWNlMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/JRGHWI2
4of6xYyOifQLrnsc4JmnQWf+7pPZFzAVNPvUn43Y1aNH0Gk8aEZOOj9gN28e4nug
efJK9JWO0gwG66OBgTB/MB0GA1UdDgQWBBR72WFYy5rKTEtx51+ySfTSJUCRRTAf
BgNVHSMEGDAWgBR72WFYy5rKTEtx51+ySfTSJUCRRTAPBgNVHRMBAf8EBTADAQH/
MCwGA1UdEQQlMCOHBH8AAAGHEAAAAAAAAAAAAAAAAAAAAAGCCWxvY2FsaG9zdDAK
BggqhkjOPQQDAgNJADBGAiEAja22QcoAC5KZB0Jq3nDMTEq4yLVX7Fy6kXeuSDX8
aBYCIQDzAgAz+qHaCeczxqb/pAU6wnrS+YYD9kjrPWeo2OWIww==
-----END CERTIFICATE-----
`;

export const testPrivateKeyPem = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg41Jq/rej5jCkjTAj
4N+lBJAeJrHc6O1ZtqpTMrvvvJqhRANCAAT8lEYdYjbih/rFjI6J9AuuexzgmadB
Z/7uk9kXMBU0+9SfjdjVo0fQaTxoRk46P2A3bx7ie6B58kr0lY7SDAbr
-----END PRIVATE KEY-----
`;
