package domain

// AccountabilityRepo stores accountability (问责) and incentive (激励) records.
type AccountabilityRepo interface{}
