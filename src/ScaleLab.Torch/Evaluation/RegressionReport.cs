namespace ScaleLab.Torch.Evaluation;

/// <summary>
/// Regression metrics over all samples and targets: MSE and MAE are means over every (sample, target) element;
/// R² is the coefficient of determination per target, averaged uniformly over targets (scikit-learn's r2_score
/// with multioutput="uniform_average").
/// </summary>
public sealed record RegressionReport(long Samples, int Targets, double Mse, double Mae, double R2);
