package storage

// migrationNotification holds the in-app inbox and the users' email addresses for reminders. The
// unique (user_id, dedup_key) is the scheduler's idempotency mark: one occasion reaches a user once.
var migrationNotification = migration{4, "notifications and reminders", `
CREATE TABLE notifications (
	id {{id}},
	user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind VARCHAR(32) NOT NULL,
	title VARCHAR(400) NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	link VARCHAR(300) NOT NULL DEFAULT '',
	case_id BIGINT REFERENCES cases(id) ON DELETE CASCADE,
	accountability_id BIGINT REFERENCES accountabilities(id) ON DELETE CASCADE,
	dedup_key VARCHAR(200) NOT NULL,
	created_at {{ts}} NOT NULL,
	read_at {{ts}},
	emailed_at {{ts}},
	UNIQUE (user_id, dedup_key)
);
CREATE INDEX notifications_inbox ON notifications(user_id, read_at, created_at);
ALTER TABLE users ADD COLUMN email VARCHAR(200) NOT NULL DEFAULT ''
`}
