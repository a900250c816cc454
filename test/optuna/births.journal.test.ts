import { describeBirths } from './birthScenarios';

describeBirths('journal');
