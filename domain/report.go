package domain

// ReportRepo answers the aggregate queries of the accountability report and the ledgers.
type ReportRepo interface{}
