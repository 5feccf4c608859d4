package domain

// NotificationRepo stores in-app notifications and the scheduler's idempotency marks.
type NotificationRepo interface{}

// Mailer sends email when an SMTP server is configured.
type Mailer interface{}
